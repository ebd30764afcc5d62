// The page's three views and their layout: the output map (with its pointer readout, its
// colour legend and the page-only options "show test data" and "discretize output"), the
// loss chart and the network diagram (whose clicks become config changes); relayout()
// sizes them to the window.

import { $, app, send, sendConfig } from "./page.js";
import { showError } from "./messages.js";
import { classColor, rgb } from "./colors.js";
import { OutputMap } from "./heatmap.js";
import { LossChart } from "./losschart.js";
import { NetworkView } from "./network.js";
import { _, format } from "./i18n.js";
import { applyHides } from "./hide.js";

export const outputMap = new OutputMap($("output-map"));
export const lossChart = new LossChart($("loss-chart"));
export const netView = new NetworkView($("network"), $("link-card"), {
  toggleFeature(f) {
    const cur = app.config?.features ?? [];
    const on = cur.includes(f);
    const order = app.options?.features ?? [];
    let next = on ? cur.filter((x) => x !== f) : [...cur, f];
    next = next.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    sendConfig({ features: next });
  },
  setHidden(h) {
    sendConfig({ hidden: h });
  },
  currentConfig() {
    return app.config;
  },
  setWeight(msg) {
    send(msg);
  },
  hoverNeuron(preview, text) {
    outputMap.preview = preview;
    const l = $("preview-label");
    l.hidden = !preview;
    if (preview) l.textContent = format(_("showing {what}"), { what: text });
    outputMap.draw();
  },
  error: showError,
});

// The page-only options: the two checkboxes under the map show app.page, and the
// controls a classroom link hides are hidden.
export function renderPageOptions() {
  applyHides(app.page.hide);
  $("show-test-check").checked = !!app.page.show_test;
  $("discretize-check").checked = !!app.page.discretize;
  outputMap.showTest = !!app.page.show_test;
  outputMap.discretize = !!app.page.discretize;
  outputMap.draw();
}

const className = (k) => format(_("class {k}"), { k });

export function renderLegend() {
  const lg = $("legend");
  lg.textContent = "";
  const n = app.network;
  if (!n) return;
  if (n.task !== "regression" && n.classes > 2) {
    lg.className = "legend classes";
    for (let k = 0; k < n.classes; k++) {
      const s = document.createElement("span");
      s.className = "legend-class";
      const swatch = document.createElement("i");
      swatch.style.background = rgb(classColor(k));
      s.append(swatch, className(k));
      lg.appendChild(s);
    }
    return;
  }
  lg.className = "legend";
  let lo = "−1";
  let hi = "1";
  if (n.task === "regression") {
    const m = outputMap.targetScale();
    lo = (-m).toPrecision(2);
    hi = m.toPrecision(2);
  }
  lg.innerHTML =
    `<div class="legend-bar" aria-hidden="true"></div>` +
    `<div class="legend-ticks"><span>${lo}</span><span>0</span><span>${hi}</span></div>` +
    (n.task === "regression"
      ? ""
      : `<div class="legend-ticks names"><span>${className(0)}</span><span>${className(1)}</span></div>`);
}

// Reading the map: under the pointer, the point and what the network says there.
export function bindMapReadout() {
  const map = $("output-map");
  const out = $("map-readout");
  map.addEventListener("mousemove", (e) => {
    const r = map.getBoundingClientRect();
    const p = outputMap.pointAt(e.clientX - r.left, e.clientY - r.top);
    const o = app.state?.output;
    if (!p || !o?.values?.length || outputMap.preview) {
      out.hidden = true;
      return;
    }
    const n = o.size;
    const i = Math.min(n - 1, Math.round(p.row * (n - 1))) * n + Math.min(n - 1, Math.round(p.col * (n - 1)));
    const v = o.values[i];
    let what;
    if (o.classes) what = format(_("class {k} (p = {p})"), { k: o.classes[i], p: Number(v).toFixed(2) });
    else if (app.network?.task === "regression") what = `ŷ = ${Number(v).toFixed(3)}`;
    // Only a sigmoid's output is a probability (the network says which output it has).
    else if (app.network?.output === "probability") {
      what = format(_("p(class 1) = {p}"), { p: ((Number(v) + 1) / 2).toFixed(2) });
    } else {
      what = format(_("tanh score = {score} (class {k})"), { score: Number(v).toFixed(2), k: v > 0 ? 1 : 0 });
    }
    out.textContent = `x₁ = ${p.x1.toFixed(2)}, x₂ = ${p.x2.toFixed(2)}: ${what}`;
    out.hidden = false;
  });
  map.addEventListener("mouseleave", () => {
    out.hidden = true;
  });
}

export function relayout() {
  // The big map is square: as wide as its column, but no taller than the window leaves
  // under it once the controls below it have their room.
  const map = $("output-map");
  const col = map.closest(".column");
  map.style.width = "100%";
  const below = [...col.children]
    .filter((e) => e.compareDocumentPosition(map.parentElement) & Node.DOCUMENT_POSITION_PRECEDING)
    .reduce((h, e) => h + e.getBoundingClientRect().height, 0);
  const room = window.innerHeight - map.getBoundingClientRect().top - below - 40;
  const width = map.getBoundingClientRect().width;
  if (room > 200 && room < width) map.style.width = `${Math.floor(room)}px`;
  outputMap.resize();
  // Everything under the map lines up with its plot area (the canvas has axis margins).
  const box = outputMap.box;
  if (box) {
    col.style.setProperty("--plot-left", `${box.x0 / box.dpr}px`);
    col.style.setProperty("--plot-width", `${box.size / box.dpr}px`);
  }
  lossChart.resize();
  netView.render(false);
}
