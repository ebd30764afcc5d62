// The network diagram's elements, built where network-layout.js places them: the links
// (SVG curves, below everything), the column headers with the +/− layer buttons, the
// per-layer +/− neuron buttons, the feature nodes, the hidden and output neurons with
// their bias squares, and the gradient-flow bars. Each function appends to `root` and
// returns what NetworkView.update() repaints; the listeners call back into `view`.

import { featureLabel } from "./options.js";
import { featureFunction, gridOf, maxAbs, paintGrid } from "./heatmap.js";
import { _, format } from "./i18n.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, parent = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  if (parent) parent.appendChild(e);
  return e;
}

function svg(tag, attrs = {}, parent = null) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

// One curve per weight, from the right edge of node i to the left edge of node j; a
// wider invisible path over it catches the pointer. Returns the links' records.
export function drawLinks(view, root, geo) {
  const { W, H, s, pos } = geo;
  const links = [];
  const layer = svg("svg", { class: "links", width: W, height: H, "data-testid": "links" }, root);
  for (let L = 1; L < pos.length; L++) {
    for (let j = 0; j < pos[L].length; j++) {
      for (let i = 0; i < pos[L - 1].length; i++) {
        const [ax, ay] = pos[L - 1][i];
        const [bx, by] = pos[L][j];
        const x1 = ax + s;
        const y1 = ay + s / 2;
        const x2 = bx;
        const y2 = by + s / 2;
        const mx = (x1 + x2) / 2;
        const d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
        const g = svg("g", { class: "link", "data-testid": `link-${L - 1}-${j}-${i}` }, layer);
        const path = svg("path", { d, class: "link-line", stroke: "#c3cad1" }, g);
        svg("path", { d, class: "link-hit" }, g);
        const info = { g, path, layer: L - 1, kind: "weight", to: j, from: i };
        g.addEventListener("mouseenter", () => view.card.open(info));
        g.addEventListener("mouseleave", () => view.card.scheduleClose());
        links.push(info);
      }
    }
  }
  return links;
}

// The column titles: "Features", the hidden layers' count with its +/− buttons, "output".
export function drawHeaders(view, root, geo, hidden, nOut, limits) {
  const { s, top, featX, outX, span, rem } = geo;
  const head = el("div", { class: "net-header" }, root);
  const fh = el("div", { class: "col-title", text: _("Features") }, head);
  fh.style.left = "0px";
  fh.style.width = `${featX + s}px`;
  fh.style.textAlign = "right";
  const hh = el("div", { class: "col-title layers-title" }, head);
  hh.style.left = `${featX + s}px`;
  hh.style.width = `${span}px`;
  const add = el("button", {
    type: "button", class: "icon-button", id: "add-layer", "data-testid": "add-layer",
    title: _("Add a hidden layer"), "aria-label": _("Add a hidden layer"),
  }, hh);
  el("span", { class: "icon icon-plus" }, add);
  const rm = el("button", {
    type: "button", class: "icon-button", id: "remove-layer", "data-testid": "remove-layer",
    title: _("Remove the last hidden layer"), "aria-label": _("Remove a hidden layer"),
  }, hh);
  el("span", { class: "icon icon-minus" }, rm);
  el("span", {
    class: "layers-count", "data-testid": "layers-count",
    text: format(hidden.length === 1 ? _("{n} hidden layer") : _("{n} hidden layers"), { n: hidden.length }),
  }, hh);
  add.disabled = hidden.length >= limits.maxLayers;
  rm.disabled = hidden.length <= limits.minLayers;
  add.addEventListener("click", () => {
    const h = [...view.hidden()];
    h.push(Math.min(limits.maxNeurons, Math.max(limits.minNeurons, h.length ? h[h.length - 1] : 4)));
    view.h.setHidden(h);
  });
  rm.addEventListener("click", () => view.h.setHidden(view.hidden().slice(0, -1)));
  const oh = el("div", { class: "out-title", text: nOut > 1 ? _("outputs") : _("output") }, root);
  oh.style.left = `${outX + s / 2}px`;
  oh.style.top = `${top - 1.5 * rem}px`;
}

// Per-layer neuron controls: +/− and the layer's width above each hidden column.
export function drawLayerControls(view, root, geo, hidden, limits) {
  const { s, top, spacing, colX, rem } = geo;
  hidden.forEach((w, l) => {
    const c = el("div", { class: "layer-controls", "data-testid": `layer-controls-${l}` }, root);
    c.style.width = `${Math.max(3.2 * rem, Math.min(6.4 * rem, spacing - 6))}px`;
    c.style.left = `${colX(l) + s / 2}px`;
    c.style.top = `${top - 3.05 * rem}px`;
    const plus = el("button", {
      type: "button", class: "icon-button small", "data-testid": `add-neuron-${l}`,
      title: _("Add a neuron"), "aria-label": format(_("Add a neuron to layer {layer}"), { layer: l + 1 }),
    }, c);
    el("span", { class: "icon icon-plus" }, plus);
    const minus = el("button", {
      type: "button", class: "icon-button small", "data-testid": `remove-neuron-${l}`,
      title: _("Remove a neuron"), "aria-label": format(_("Remove a neuron from layer {layer}"), { layer: l + 1 }),
    }, c);
    el("span", { class: "icon icon-minus" }, minus);
    const words = format(w === 1 ? _("{n} neuron") : _("{n} neurons"), { n: w });
    const count = spacing > 5.6 * rem ? words : String(w);
    el("div", { class: "neuron-count", text: count, title: words }, c);
    plus.disabled = w >= limits.maxNeurons;
    minus.disabled = w <= limits.minNeurons;
    plus.addEventListener("click", () => {
      const h = [...view.hidden()];
      h[l] = Math.min(limits.maxNeurons, h[l] + 1);
      view.h.setHidden(h);
    });
    minus.addEventListener("click", () => {
      const h = [...view.hidden()];
      h[l] = Math.max(limits.minNeurons, h[l] - 1);
      view.h.setHidden(h);
    });
  });
}

// Feature nodes (all known features; inactive ones dimmed), each with its label and the
// feature's own heat map until the server sends one. Returns {feature: {node, cv, on}}.
export function drawFeatures(view, root, geo, feats, active) {
  const { W, s, gap, top, featX, rem } = geo;
  const featureNodes = {};
  feats.forEach((f, r) => {
    const on = active.includes(f);
    const y = top + r * (s + gap);
    const lab = el("div", { class: `feature-label${on ? " on" : ""}`, text: featureLabel(f) }, root);
    lab.style.top = `${y + s / 2}px`;
    lab.style.right = `${W - featX + 0.45 * rem}px`;
    const node = el("button", {
      type: "button", class: `node feature${on ? " active" : ""}`,
      "data-testid": `feature-${f}`, "data-feature": f, "aria-pressed": on ? "true" : "false",
      title: format(on ? _("{feature}: click to remove") : _("{feature}: click to add"), { feature: featureLabel(f) }),
    }, root);
    node.style.left = `${featX}px`;
    node.style.top = `${y}px`;
    const cv = el("canvas", {}, node);
    const fn = featureFunction(f);
    if (fn) {
      const vals = gridOf(fn, view.domain, view.options?.sizeSmall ?? 20);
      paintGrid(cv, vals, { scale: Math.max(1, maxAbs(vals)) });
    }
    node.addEventListener("click", () => view.h.toggleFeature(f));
    node.addEventListener("mouseenter", () => {
      const n = view.state?.neurons?.[0]?.[active.indexOf(f)];
      const vals = n?.values ?? (fn ? gridOf(fn, view.domain, 20) : null);
      if (vals) view.h.hoverNeuron({ values: vals, scale: Math.max(1, maxAbs(vals)) }, featureLabel(f));
    });
    node.addEventListener("mouseleave", () => view.h.hoverNeuron(null));
    featureNodes[f] = { node, cv, on };
  });
  return featureNodes;
}

// Hidden neurons and output nodes, each with a bias square that opens the weight card.
// Returns {nodes, biases}: nodes[L - 1][i] = {node, cv, badge} for column L ≥ 1.
export function drawNeurons(view, root, geo) {
  const { pos } = geo;
  const nodes = [];
  const biases = [];
  for (let L = 1; L < pos.length; L++) {
    const isOut = L === pos.length - 1;
    const col = [];
    pos[L].forEach(([x, y], i) => {
      const node = el("div", {
        class: `node neuron${isOut ? " output" : ""}`,
        "data-testid": isOut ? `output-node-${i}` : `neuron-${L}-${i}`,
        "data-layer": L, "data-index": i,
      }, root);
      node.style.left = `${x}px`;
      node.style.top = `${y}px`;
      const cv = el("canvas", {}, node);
      const badge = el("span", { class: "badge" }, node);
      const b = el("div", {
        class: "bias", "data-testid": `bias-${L - 1}-${i}`, title: "bias",
      }, node);
      const binfo = { el: b, layer: L - 1, kind: "bias", to: i };
      b.addEventListener("mouseenter", () => view.card.open(binfo));
      b.addEventListener("mouseleave", () => view.card.scheduleClose());
      biases.push(binfo);
      if (!isOut) {
        node.addEventListener("mouseenter", () => {
          const v = view.state?.neurons?.[L]?.[i]?.values;
          if (v) view.h.hoverNeuron({ values: v, scale: Math.max(1, maxAbs(v)) }, format(_("layer {layer}, neuron {neuron}"), { layer: L, neuron: i + 1 }));
        });
        node.addEventListener("mouseleave", () => view.h.hoverNeuron(null));
      }
      col.push({ node, cv, badge });
    });
    nodes.push(col);
  }
  return { nodes, biases };
}

// Gradient-flow bars, one per dense layer, under the column it feeds.
export function drawGradientBars(root, geo) {
  const { W, s, featX, pos, gradY: gy } = geo;
  const bars = [];
  const gl = el("div", { class: "grad-title", text: _("gradient flow") }, root);
  gl.style.top = `${gy}px`;
  gl.style.right = `${W - featX - s}px`;
  gl.title = _("RMS of each layer's weight gradient (log scale, 10⁻⁶ … 1)");
  for (let L = 1; L < pos.length; L++) {
    const x = pos[L][0][0];
    const wrap = el("div", { class: "grad-bar", "data-testid": `grad-flow-${L - 1}` }, root);
    wrap.style.left = `${x + s / 2}px`;
    wrap.style.top = `${gy}px`;
    const track = el("div", { class: "grad-track" }, wrap);
    const fill = el("div", { class: "grad-fill" }, track);
    const txt = el("div", { class: "grad-text", text: "–" }, wrap);
    bars.push({ wrap, fill, txt });
  }
  return bars;
}
