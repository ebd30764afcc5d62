// The network diagram: FEATURES (toggle by click), HIDDEN LAYERS (+/− layers and
// neurons, each neuron a small heat map), the output unit(s), links as SVG curves whose
// width grows with |w| (orange negative, blue positive), a hover card to read and edit
// a weight or bias, dead/saturated marks and per-layer gradient-flow bars.
// This module holds NetworkView: what the diagram shows, when it is rebuilt, and
// repainting it from each `state`. network-layout.js places the parts, network-draw.js
// builds them, weight-card.js is the hover card.

import { maxAbs, paintGrid } from "./heatmap.js";
import { classColor, classShade, rgb, weightColor } from "./colors.js";
import { layoutNetwork } from "./network-layout.js";
import {
  drawFeatures, drawGradientBars, drawHeaders, drawLayerControls, drawLinks, drawNeurons,
} from "./network-draw.js";
import { WeightCard } from "./weight-card.js";
import { _, format } from "./i18n.js";

export class NetworkView {
  constructor(root, card, handlers) {
    this.root = root;
    this.h = handlers; // {toggleFeature, setHidden, setWeight, hoverNeuron}
    this.options = null;
    this.config = null;
    this.network = null;
    this.state = null;
    this.domain = [-6, 6];
    this.key = "";
    this.links = [];
    this.biases = [];
    this.nodes = [];
    this.card = new WeightCard(card, this); // last: it reads the view's fields
  }

  setOptions(o) {
    this.options = o;
    if (typeof o.maxAbsWeight === "number") this.card.setLimit(o.maxAbsWeight);
    this.render(true);
  }

  setConfig(c) {
    this.config = c;
    this.render(false);
  }

  setNetwork(n) {
    this.network = n;
    this.render(false);
  }

  setDomain(d) {
    if (d && (d[0] !== this.domain[0] || d[1] !== this.domain[1])) {
      this.domain = d;
      this.render(true);
    }
  }

  // The hidden widths to change: the page's latest config (it may run ahead of the
  // server's echo when the user clicks quickly).
  hidden() {
    return [...(this.h.currentConfig?.()?.hidden ?? this.config.hidden)];
  }

  // Layer widths from the features to the output, as the server built them.
  widths() {
    if (this.network?.layers) return this.network.layers;
    if (!this.config) return null;
    return [this.config.features.length, ...this.config.hidden, 1];
  }

  activeFeatures() {
    return this.network?.features ?? this.config?.features ?? [];
  }

  allFeatures() {
    const list = this.options?.features?.length ? [...this.options.features] : [];
    for (const f of this.activeFeatures()) if (!list.includes(f)) list.push(f);
    return list;
  }

  render(force) {
    const widths = this.widths();
    if (!widths || !this.config) return;
    const W = this.root.clientWidth;
    const H = this.root.clientHeight;
    const key = JSON.stringify([
      widths, this.activeFeatures(), this.allFeatures(), this.config.hidden, W, H,
      this.options?.hidden_layers, this.options?.neurons,
    ]);
    if (!force && key === this.key) return;
    this.key = key;
    this.build(widths, W, H);
    if (this.state) this.update(this.state);
  }

  // Rebuilds the diagram's elements for these widths in a W × H box.
  build(widths, W, H) {
    this.root.textContent = "";
    const feats = this.allFeatures();
    const active = this.activeFeatures();
    const hidden = widths.slice(1, -1);
    const nOut = widths[widths.length - 1];
    const [minLayers, maxLayers] = this.options?.hidden_layers ?? [0, 6];
    const [minNeurons, maxNeurons] = this.options?.neurons ?? [1, 8];
    const limits = { minLayers, maxLayers, minNeurons, maxNeurons };

    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const geo = layoutNetwork({ feats, active, hidden, nOut, W, H, rem });
    this.geom = { s: geo.s, gap: geo.gap, top: geo.top };
    this.root.style.setProperty("--node", `${geo.s}px`);
    // Drawn on a stage as wide as the layout: wider than the box, the box scrolls.
    const root = document.createElement("div");
    root.className = "net-stage";
    root.style.width = `${geo.W}px`;
    this.root.appendChild(root);

    this.links = drawLinks(this, root, geo); // first, so below the nodes
    drawHeaders(this, root, geo, hidden, nOut, limits);
    drawLayerControls(this, root, geo, hidden, limits);
    this.featureNodes = drawFeatures(this, root, geo, feats, active);
    const { nodes, biases } = drawNeurons(this, root, geo);
    this.nodes = nodes;
    this.biases = biases;
    this.gradBars = drawGradientBars(root, geo);
  }

  update(state) {
    this.state = state;
    if (!this.nodes.length) return;
    const neurons = state.neurons ?? [];
    // Active features: the server's layer-0 grid where it sent one.
    const active = this.activeFeatures();
    active.forEach((f, i) => {
      const n = neurons[0]?.[i];
      const fn = this.featureNodes?.[f];
      if (n?.values && fn) paintGrid(fn.cv, n.values, { scale: Math.max(1, maxAbs(n.values)) });
    });
    // Hidden neurons.
    for (let L = 1; L < this.nodes.length; L++) {
      this.nodes[L - 1].forEach((nd, i) => {
        const n = neurons[L]?.[i];
        if (!n) return;
        if (n.values) paintGrid(nd.cv, n.values, { scale: Math.max(1, maxAbs(n.values)) });
        nd.node.classList.toggle("dead", !!n.dead);
        nd.node.classList.toggle("saturated", !!n.saturated);
        // i18n: the badge on a neuron's corner: a word of four letters at most
        nd.badge.textContent = n.dead ? _("dead") : n.saturated ? _("sat") : "";
        nd.node.title = n.dead
          ? _("Dead unit: zero on every training point")
          : n.saturated
            ? _("Saturated unit: stuck near its bounds on most training points")
            : "";
      });
    }
    // Output node(s).
    const outCol = this.nodes[this.nodes.length - 1];
    const out = state.output;
    if (out?.values && outCol) {
      const k = outCol.length;
      if (k > 1 && out.classes) {
        outCol.forEach((nd, c) => {
          paintGrid(nd.cv, out.values.map((p, idx) => (out.classes[idx] === c ? p : 0)), {
            classes: out.values.map(() => c), k,
          });
          nd.node.style.borderColor = rgb(classColor(c));
        });
      } else {
        const task = this.network?.task;
        paintGrid(outCol[0].cv, out.values, {
          scale: task === "regression" ? Math.max(1e-9, maxAbs(out.values)) : 1,
        });
      }
    }
    // Links and biases.
    const weights = state.weights ?? [];
    const wmax = Math.max(1, this.geom?.s ? this.geom.s / 5 : 8);
    for (const ln of this.links) {
      const w = this.weightOf(weights, ln);
      if (w === undefined) continue;
      ln.path.style.stroke = weightColor(w);
      ln.path.style.strokeWidth = `${Math.max(0.7, Math.min(wmax, Math.abs(w) * 2.4)).toFixed(2)}px`;
      // A weight L1 has set to exactly 0 (the clip at zero): a dashed link, as in TF.
      ln.path.classList.toggle("zero", w === 0);
      ln.value = w;
    }
    for (const b of this.biases) {
      const v = this.biasOf(weights, b);
      if (v === undefined) continue;
      b.value = v;
      b.el.style.background = rgb(classShade(v < 0 ? 0 : 1, Math.min(1, Math.abs(v))));
    }
    // Gradient flow.
    const gf = state.grad_flow ?? [];
    this.gradBars?.forEach((g, i) => {
      const v = gf[i];
      if (!Number.isFinite(v)) return;
      const t = v > 0 ? Math.max(0, Math.min(1, (Math.log10(v) + 6) / 6)) : 0;
      g.fill.style.width = `${(t * 100).toFixed(1)}%`;
      g.fill.classList.toggle("vanishing", v < 1e-4);
      g.txt.textContent = v === 0 ? "0" : v.toExponential(1);
      g.wrap.title = format(_("Layer {layer}: RMS of dW = {value}"), { layer: i + 1, value: v });
    });
    this.card.refresh();
  }

  // Maxout layers hold `pieces` rows per unit (rows j·p … j·p+p−1): a link shows, and
  // the card edits, the piece with the largest |w|.
  rowsOf(layer, unit, rows) {
    const p = this.network?.pieces ?? 1;
    const width = (this.widths() ?? [])[layer + 1];
    if (p > 1 && rows === width * p) return Array.from({ length: p }, (_, k) => unit * p + k);
    return [unit];
  }

  // The piece of link or bias `t` with the largest |value| (valueAt(row) reads a row of
  // its `rows`); remembers its row in t.row, the row the card edits.
  largestPiece(t, rows, valueAt) {
    let best;
    for (const r of this.rowsOf(t.layer, t.to, rows)) {
      const v = valueAt(r);
      if (v !== undefined && v !== null && (best === undefined || Math.abs(v) > Math.abs(best))) {
        best = v;
        t.row = r;
      }
    }
    return best;
  }

  weightOf(weights, ln) {
    const W = weights[ln.layer]?.W;
    if (!W) return undefined;
    return this.largestPiece(ln, W.length, (r) => W[r]?.[ln.from]);
  }

  biasOf(weights, b) {
    const B = weights[b.layer]?.b;
    if (!B) return undefined;
    return this.largestPiece(b, B.length, (r) => B[r]);
  }
}
