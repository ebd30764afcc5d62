// The notice that says why training paused by itself: a classroom link's stop condition
// (`stop_epoch`, `stop_test_loss`, protocol) was met. The server pauses as `pause`
// does; the page sees a `state` with running false that nobody asked for, at the stop
// epoch or at a test loss at or below the stop loss. The notice stays until play is
// pressed again or it is closed; it is in the messages box, above the columns.

import { $, app } from "./page.js";
import { _, format, onLanguage } from "./i18n.js";

let shown = null; // {kind, epoch, loss} of the notice on screen

function reason(state, config) {
  if (config.stop_epoch && state.epoch === config.stop_epoch) return { kind: "epoch", epoch: state.epoch };
  const loss = state.test_loss;
  if (config.stop_test_loss && Number.isFinite(loss) && loss <= config.stop_test_loss) {
    return { kind: "loss", epoch: state.epoch, loss };
  }
  return null;
}

function text(r) {
  const c = app.server ?? {};
  if (r.kind === "epoch") {
    return format(_("Training paused by itself at epoch {epoch}, the stop condition of this link. Press play to go on."), { epoch: r.epoch });
  }
  return format(_("Training paused by itself at epoch {epoch}: the test loss came down to {loss}, at or below the stop condition {stop}. Press play to go on."), {
    epoch: r.epoch, loss: r.loss.toFixed(3), stop: String(c.stop_test_loss),
  });
}

function hide() {
  shown = null;
  document.querySelector(".stop-notice")?.remove();
}

function show(r) {
  hide();
  shown = r;
  const m = document.createElement("div");
  m.className = "message stop-notice";
  m.setAttribute("role", "status");
  m.dataset.testid = "stop-notice";
  const t = document.createElement("span");
  t.className = "text";
  const x = document.createElement("button");
  x.type = "button";
  x.className = "close";
  x.dataset.testid = "stop-notice-close";
  x.innerHTML = '<span class="icon icon-close"></span>';
  x.addEventListener("click", hide);
  m.append(t, x);
  $("messages").prepend(m);
  translate();
}

function translate() {
  const m = document.querySelector(".stop-notice");
  if (!m || !shown) return;
  m.querySelector(".text").textContent = text(shown);
  m.querySelector(".close").setAttribute("aria-label", _("Dismiss"));
}

export function bindStopNotice() {
  document.addEventListener("fcnn:state", (e) => {
    const { state, wasRunning } = e.detail;
    if (state.running) {
      if (shown) hide();
      return;
    }
    // Paused by the user (the page already believed it stopped) or by a reset: no notice.
    const r = wasRunning && app.server ? reason(state, app.server) : null;
    if (r) show(r);
  });
  onLanguage(translate);
}
