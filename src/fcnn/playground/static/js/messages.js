// The boxes that tell the user something: the messages box (errors, each shown once
// with a count of repeats, at most four, each dismissable and gone by itself after
// messageTiming.ms, counted again from a repeat) and the diagnostics box (the
// server's remarks on the training, e.g. dead units).

import { $ } from "./page.js";
import { _ } from "./i18n.js";

// ---- errors ---------------------------------------------------------------------
// How long a message stays (tests shorten it through window.__fcnn.messageTiming).
export const messageTiming = { ms: 8000 };

function expireLater(m) {
  clearTimeout(Number(m.dataset.timer));
  m.dataset.timer = String(setTimeout(() => m.remove(), messageTiming.ms));
}

export function showError(message, field = null) {
  const box = $("messages");
  const text = String(message || _("Something went wrong."));
  for (const m of box.querySelectorAll(".message")) {
    if (m.dataset.text === text) {
      const n = Number(m.dataset.count || 1) + 1;
      m.dataset.count = n;
      m.querySelector(".count").textContent = `×${n}`;
      expireLater(m);
      return;
    }
  }
  const m = document.createElement("div");
  m.className = "message error";
  m.setAttribute("role", "alert");
  m.setAttribute("data-testid", "error-message");
  m.dataset.text = text;
  if (field) m.dataset.field = field;
  const t = document.createElement("span");
  t.className = "text";
  t.textContent = text;
  const c = document.createElement("span");
  c.className = "count";
  const x = document.createElement("button");
  x.type = "button";
  x.className = "close";
  x.setAttribute("aria-label", _("Dismiss"));
  x.setAttribute("data-testid", "error-close");
  x.innerHTML = '<span class="icon icon-close"></span>';
  x.addEventListener("click", () => m.remove());
  m.append(t, c, x);
  box.appendChild(m);
  expireLater(m);
  while (box.children.length > 4) box.firstElementChild.remove();
}

// ---- diagnostics ----------------------------------------------------------------
// The diagnostics box takes room from the network, so it stays a few seconds after its
// last message rather than flickering (and re-laying the network out) every epoch.
let diagTimer = 0;
export function showDiagnostics(list) {
  const diag = $("diagnostics");
  if (list.length === 0) {
    if (!diag.hidden && !diagTimer) {
      diagTimer = setTimeout(() => {
        diag.hidden = true;
        diagTimer = 0;
      }, 3000);
    }
    return;
  }
  clearTimeout(diagTimer);
  diagTimer = 0;
  const text = list.slice(0, 3).join("\n");
  if (diag.dataset.text === text && !diag.hidden) return;
  diag.dataset.text = text;
  diag.textContent = "";
  for (const line of list.slice(0, 3)) {
    const p = document.createElement("p");
    p.textContent = line;
    diag.appendChild(p);
  }
  diag.hidden = false;
}
