// The weight card: hovering a link or a bias square opens a small card beside it that
// names the parameter, shows its value and takes a new one (Enter sends `set_weight`,
// Escape closes). It stays while the pointer is on it or someone is typing into it.

import { featureLabel } from "./options.js";
import { _, format } from "./i18n.js";

function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(2);
  return String(Math.round(v * 1000) / 1000);
}

export class WeightCard {
  // `card`: the page's #link-card; `view`: the NetworkView whose links it edits (for the
  // units' names and the handlers setWeight and error).
  constructor(card, view) {
    this.el = card;
    this.view = view;
    this.target = null; // the link or bias record the card shows
    this.timer = null;
    this.input = card.querySelector("input");
    this.title = card.querySelector(".link-card-title");
    card.addEventListener("mouseenter", () => clearTimeout(this.timer));
    card.addEventListener("mouseleave", () => this.scheduleClose());
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        this.commit();
      } else if (e.key === "Escape") {
        this.close();
      }
    });
    this.input.addEventListener("blur", () => this.scheduleClose());
  }

  // The server's bound on |w|, as the input's min and max.
  setLimit(maxAbsWeight) {
    this.input.min = String(-maxAbsWeight);
    this.input.max = String(maxAbsWeight);
  }

  describe(t) {
    const names = this.view.activeFeatures();
    const widths = this.view.widths() ?? [];
    const unit = (L, i) => {
      if (L === 0) return featureLabel(names[i] ?? `x${i + 1}`);
      if (L === widths.length - 1) return widths[L] > 1 ? format(_("output {i}"), { i: i + 1 }) : _("output");
      return `h${L}.${i + 1}`;
    };
    if (t.kind === "bias") return format(_("Bias of {unit}"), { unit: unit(t.layer + 1, t.to) });
    return format(_("Weight {from} → {to}"), { from: unit(t.layer, t.from), to: unit(t.layer + 1, t.to) });
  }

  open(target) {
    clearTimeout(this.timer);
    if (this.target && document.activeElement === this.input && this.target !== target) {
      return; // someone is typing into the card: keep it
    }
    this.target = target;
    this.el.hidden = false;
    // Place the card beside the link's midpoint (or the bias square), not the mouse, so
    // it never hides what it describes.
    let x;
    let y;
    if (target.path) {
      const len = target.path.getTotalLength();
      const p = target.path.getPointAtLength(len / 2);
      const box = target.path.ownerSVGElement.getBoundingClientRect();
      x = box.left + p.x;
      y = box.top + p.y;
    } else {
      const r = target.el.getBoundingClientRect();
      x = r.left + r.width / 2;
      y = r.bottom;
    }
    const cw = this.el.offsetWidth || 220;
    const left = Math.max(8, Math.min(x + 12, window.innerWidth - cw - 8));
    this.el.style.left = `${left + window.scrollX}px`;
    this.el.style.top = `${y + 12 + window.scrollY}px`;
    this.input.value = target.value !== undefined ? String(target.value) : "";
    this.el.dataset.layer = target.layer;
    this.el.dataset.kind = target.kind;
    this.el.dataset.to = target.to;
    if (target.from !== undefined) this.el.dataset.from = target.from;
    else delete this.el.dataset.from;
    this.refresh();
    if (target.g) target.g.classList.add("hover");
  }

  // The value may change under the card as training runs: show the latest.
  refresh() {
    const t = this.target;
    if (!t || this.el.hidden) return;
    this.title.textContent = `${this.describe(t)} = ${t.value !== undefined ? fmt(t.value) : "–"}`;
    if (document.activeElement !== this.input && t.value !== undefined) {
      this.input.value = String(t.value);
    }
  }

  commit() {
    const t = this.target;
    if (!t) return;
    const value = Number(this.input.value);
    if (this.input.value.trim() === "" || !Number.isFinite(value)) {
      this.view.h.error?.(format(_("\"{text}\" is not a number."), { text: this.input.value }));
      return;
    }
    const msg = { type: "set_weight", layer: t.layer, kind: t.kind, to: t.row ?? t.to, value };
    if (t.kind === "weight") msg.from = t.from;
    this.view.h.setWeight(msg);
    this.input.blur();
  }

  scheduleClose() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (document.activeElement === this.input || this.el.matches(":hover")) return;
      this.close();
    }, 350);
  }

  close() {
    this.el.hidden = true;
    if (this.target?.g) this.target.g.classList.remove("hover");
    this.target = null;
  }
}
