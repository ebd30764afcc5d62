// The network diagram: FEATURES (toggle by click), HIDDEN LAYERS (+/− layers and
// neurons, each neuron a small heat map), the output unit(s), links as SVG curves whose
// width grows with |w| (orange negative, blue positive), a hover card to read and edit
// a weight or bias, dead/saturated marks and per-layer gradient-flow bars.

import { featureLabel } from "./options.js";
import { featureFunction, gridOf, maxAbs, paintGrid } from "./heatmap.js";
import { classColor, classShade, rgb, weightColor } from "./colors.js";

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

function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(2);
  return String(Math.round(v * 1000) / 1000);
}

export class NetworkView {
  constructor(root, card, handlers) {
    this.root = root;
    this.card = card;
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
    this.cardTarget = null;
    this.cardTimer = null;
    this.setupCard();
  }

  setOptions(o) {
    this.options = o;
    if (typeof o.maxAbsWeight === "number") {
      this.cardInput.min = String(-o.maxAbsWeight);
      this.cardInput.max = String(o.maxAbsWeight);
    }
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

  build(widths, W, H) {
    const root = this.root;
    root.textContent = "";
    this.links = [];
    this.biases = [];
    this.nodes = [];
    this.gradBars = [];
    const feats = this.allFeatures();
    const active = this.activeFeatures();
    const hidden = widths.slice(1, -1);
    const nOut = widths[widths.length - 1];
    const [minLayers, maxLayers] = this.options?.hidden_layers ?? [0, 6];
    const [minNeurons, maxNeurons] = this.options?.neurons ?? [1, 8];

    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const headerH = 5.3 * rem;
    const footerH = 3.4 * rem;
    const rows = Math.max(feats.length, ...hidden, nOut, 1);
    const avail = H - headerH - footerH;
    const labelW = 4.4 * rem;
    const nCols = hidden.length;
    // The node size: what the height allows, and no more than ~60 % of the room between
    // two columns, so six layers of eight still read as separate squares.
    let s = Math.max(26, Math.min(84, Math.floor(avail / (rows * 1.32))));
    const room = (W - labelW - 0.6 * rem - 2 * s) / (nCols + 1);
    if (nCols > 0) s = Math.max(22, Math.min(s, Math.floor(room * 0.6)));
    const gap = Math.max(6, Math.min(s * 0.32, (avail - rows * s) / Math.max(1, rows - 1)));
    const top = headerH;
    const featX = labelW;
    const outX = W - s - 0.6 * rem;
    const span = outX - (featX + s);
    const spacing = span / (nCols + 1);
    const colX = (i) => featX + s + (span * (i + 1)) / (nCols + 1) - s / 2;
    this.geom = { s, gap, top };
    root.style.setProperty("--node", `${s}px`);

    // Links first (below the nodes).
    const layer = svg("svg", { class: "links", width: W, height: H, "data-testid": "links" }, root);
    const pos = []; // pos[L][i] = [x, y] of node i of column L (0 = features)
    pos.push(active.map((f) => [featX, top + feats.indexOf(f) * (s + gap)]));
    hidden.forEach((w, l) => {
      pos.push(Array.from({ length: w }, (_, i) => [colX(l), top + i * (s + gap)]));
    });
    pos.push(Array.from({ length: nOut }, (_, i) => [outX, top + i * (s + gap)]));
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
          g.addEventListener("mouseenter", () => this.openCard(info));
          g.addEventListener("mouseleave", () => this.scheduleClose());
          this.links.push(info);
        }
      }
    }

    // Column headers.
    const head = el("div", { class: "net-header" }, root);
    const fh = el("div", { class: "col-title", text: "Features" }, head);
    fh.style.left = "0px";
    fh.style.width = `${featX + s}px`;
    fh.style.textAlign = "right";
    const hh = el("div", { class: "col-title layers-title" }, head);
    hh.style.left = `${featX + s}px`;
    hh.style.width = `${span}px`;
    const add = el("button", {
      type: "button", class: "icon-button", id: "add-layer", "data-testid": "add-layer",
      title: "Add a hidden layer", "aria-label": "Add a hidden layer",
    }, hh);
    el("span", { class: "icon icon-plus" }, add);
    const rm = el("button", {
      type: "button", class: "icon-button", id: "remove-layer", "data-testid": "remove-layer",
      title: "Remove the last hidden layer", "aria-label": "Remove a hidden layer",
    }, hh);
    el("span", { class: "icon icon-minus" }, rm);
    el("span", {
      class: "layers-count", "data-testid": "layers-count",
      text: `${hidden.length} hidden layer${hidden.length === 1 ? "" : "s"}`,
    }, hh);
    add.disabled = hidden.length >= maxLayers;
    rm.disabled = hidden.length <= minLayers;
    add.addEventListener("click", () => {
      const h = [...this.hidden()];
      h.push(Math.min(maxNeurons, Math.max(minNeurons, h.length ? h[h.length - 1] : 4)));
      this.h.setHidden(h);
    });
    rm.addEventListener("click", () => this.h.setHidden(this.hidden().slice(0, -1)));
    const oh = el("div", { class: "out-title", text: nOut > 1 ? "outputs" : "output" }, root);
    oh.style.left = `${outX + s / 2}px`;
    oh.style.top = `${top - 1.5 * rem}px`;

    // Per-layer neuron controls.
    hidden.forEach((w, l) => {
      const c = el("div", { class: "layer-controls", "data-testid": `layer-controls-${l}` }, root);
      c.style.width = `${Math.max(3.2 * rem, Math.min(6.4 * rem, spacing - 6))}px`;
      c.style.left = `${colX(l) + s / 2}px`;
      c.style.top = `${top - 3.05 * rem}px`;
      const plus = el("button", {
        type: "button", class: "icon-button small", "data-testid": `add-neuron-${l}`,
        title: "Add a neuron", "aria-label": `Add a neuron to layer ${l + 1}`,
      }, c);
      el("span", { class: "icon icon-plus" }, plus);
      const minus = el("button", {
        type: "button", class: "icon-button small", "data-testid": `remove-neuron-${l}`,
        title: "Remove a neuron", "aria-label": `Remove a neuron from layer ${l + 1}`,
      }, c);
      el("span", { class: "icon icon-minus" }, minus);
      const count = spacing > 5.6 * rem ? `${w} neuron${w === 1 ? "" : "s"}` : String(w);
      el("div", { class: "neuron-count", text: count, title: `${w} neurons` }, c);
      plus.disabled = w >= maxNeurons;
      minus.disabled = w <= minNeurons;
      plus.addEventListener("click", () => {
        const h = [...this.hidden()];
        h[l] = Math.min(maxNeurons, h[l] + 1);
        this.h.setHidden(h);
      });
      minus.addEventListener("click", () => {
        const h = [...this.hidden()];
        h[l] = Math.max(minNeurons, h[l] - 1);
        this.h.setHidden(h);
      });
    });

    // Feature nodes (all known features; inactive ones dimmed).
    this.featureNodes = {};
    feats.forEach((f, r) => {
      const on = active.includes(f);
      const y = top + r * (s + gap);
      const lab = el("div", { class: `feature-label${on ? " on" : ""}`, text: featureLabel(f) }, root);
      lab.style.top = `${y + s / 2}px`;
      lab.style.right = `${W - featX + 0.45 * rem}px`;
      const node = el("button", {
        type: "button", class: `node feature${on ? " active" : ""}`,
        "data-testid": `feature-${f}`, "data-feature": f, "aria-pressed": on ? "true" : "false",
        title: on ? `${featureLabel(f)}: click to remove` : `${featureLabel(f)}: click to add`,
      }, root);
      node.style.left = `${featX}px`;
      node.style.top = `${y}px`;
      const cv = el("canvas", {}, node);
      const fn = featureFunction(f);
      if (fn) {
        const vals = gridOf(fn, this.domain, this.options?.sizeSmall ?? 20);
        paintGrid(cv, vals, { scale: Math.max(1, maxAbs(vals)) });
      }
      node.addEventListener("click", () => this.h.toggleFeature(f));
      node.addEventListener("mouseenter", () => {
        const n = this.state?.neurons?.[0]?.[active.indexOf(f)];
        const vals = n?.values ?? (fn ? gridOf(fn, this.domain, 20) : null);
        if (vals) this.h.hoverNeuron({ values: vals, scale: Math.max(1, maxAbs(vals)) }, featureLabel(f));
      });
      node.addEventListener("mouseleave", () => this.h.hoverNeuron(null));
      this.featureNodes[f] = { node, cv, on };
    });

    // Hidden neurons and output nodes.
    this.nodes = [];
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
        b.addEventListener("mouseenter", () => this.openCard(binfo));
        b.addEventListener("mouseleave", () => this.scheduleClose());
        this.biases.push(binfo);
        if (!isOut) {
          node.addEventListener("mouseenter", () => {
            const v = this.state?.neurons?.[L]?.[i]?.values;
            if (v) this.h.hoverNeuron({ values: v, scale: Math.max(1, maxAbs(v)) }, `Layer ${L}, neuron ${i + 1}`);
          });
          node.addEventListener("mouseleave", () => this.h.hoverNeuron(null));
        }
        col.push({ node, cv, badge });
      });
      this.nodes.push(col);
    }

    // Gradient-flow bars, one per dense layer, under the column it feeds.
    const gy = top + rows * (s + gap) + 0.2 * rem;
    const gl = el("div", { class: "grad-title", text: "gradient flow" }, root);
    gl.style.top = `${gy}px`;
    gl.style.right = `${W - featX - s}px`;
    gl.title = "RMS of each layer's weight gradient (log scale, 10⁻⁶ … 1)";
    for (let L = 1; L < pos.length; L++) {
      const x = pos[L][0][0];
      const wrap = el("div", { class: "grad-bar", "data-testid": `grad-flow-${L - 1}` }, root);
      wrap.style.left = `${x + s / 2}px`;
      wrap.style.top = `${gy}px`;
      const track = el("div", { class: "grad-track" }, wrap);
      const fill = el("div", { class: "grad-fill" }, track);
      const txt = el("div", { class: "grad-text", text: "–" }, wrap);
      this.gradBars.push({ wrap, fill, txt });
    }
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
        nd.badge.textContent = n.dead ? "dead" : n.saturated ? "sat" : "";
        nd.node.title = n.dead
          ? "Dead unit: zero on every training point"
          : n.saturated
            ? "Saturated unit: stuck near its bounds on most training points"
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
      g.wrap.title = `Layer ${i + 1}: RMS of dW = ${v}`;
    });
    this.refreshCard();
  }

  // Maxout layers hold `pieces` rows per unit (rows j·p … j·p+p−1): a link shows, and
  // the card edits, the piece with the largest |w|.
  rowsOf(layer, unit, rows) {
    const p = this.network?.pieces ?? 1;
    const width = (this.widths() ?? [])[layer + 1];
    if (p > 1 && rows === width * p) return Array.from({ length: p }, (_, k) => unit * p + k);
    return [unit];
  }

  weightOf(weights, ln) {
    const W = weights[ln.layer]?.W;
    if (!W) return undefined;
    let best;
    for (const r of this.rowsOf(ln.layer, ln.to, W.length)) {
      const v = W[r]?.[ln.from];
      if (v !== undefined && v !== null && (best === undefined || Math.abs(v) > Math.abs(best))) {
        best = v;
        ln.row = r;
      }
    }
    return best;
  }

  biasOf(weights, b) {
    const B = weights[b.layer]?.b;
    if (!B) return undefined;
    let best;
    for (const r of this.rowsOf(b.layer, b.to, B.length)) {
      const v = B[r];
      if (v !== undefined && v !== null && (best === undefined || Math.abs(v) > Math.abs(best))) {
        best = v;
        b.row = r;
      }
    }
    return best;
  }

  // --- the hover card: read and edit one weight or bias --------------------------
  setupCard() {
    const card = this.card;
    this.cardInput = card.querySelector("input");
    this.cardTitle = card.querySelector(".link-card-title");
    card.addEventListener("mouseenter", () => clearTimeout(this.cardTimer));
    card.addEventListener("mouseleave", () => this.scheduleClose());
    this.cardInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        this.commitCard();
      } else if (e.key === "Escape") {
        this.closeCard();
      }
    });
    this.cardInput.addEventListener("blur", () => this.scheduleClose());
  }

  describe(t) {
    const names = this.activeFeatures();
    const widths = this.widths() ?? [];
    const unit = (L, i) => {
      if (L === 0) return featureLabel(names[i] ?? `x${i + 1}`);
      if (L === widths.length - 1) return widths[L] > 1 ? `output ${i + 1}` : "output";
      return `h${L}.${i + 1}`;
    };
    if (t.kind === "bias") return `Bias of ${unit(t.layer + 1, t.to)}`;
    return `Weight ${unit(t.layer, t.from)} → ${unit(t.layer + 1, t.to)}`;
  }

  openCard(target) {
    clearTimeout(this.cardTimer);
    if (this.cardTarget && document.activeElement === this.cardInput && this.cardTarget !== target) {
      return; // someone is typing into the card: keep it
    }
    this.cardTarget = target;
    this.card.hidden = false;
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
    const cw = this.card.offsetWidth || 220;
    const left = Math.max(8, Math.min(x + 12, window.innerWidth - cw - 8));
    this.card.style.left = `${left + window.scrollX}px`;
    this.card.style.top = `${y + 12 + window.scrollY}px`;
    this.cardInput.value = target.value !== undefined ? String(target.value) : "";
    this.card.dataset.layer = target.layer;
    this.card.dataset.kind = target.kind;
    this.card.dataset.to = target.to;
    if (target.from !== undefined) this.card.dataset.from = target.from;
    else delete this.card.dataset.from;
    this.refreshCard();
    if (target.g) target.g.classList.add("hover");
  }

  refreshCard() {
    const t = this.cardTarget;
    if (!t || this.card.hidden) return;
    this.cardTitle.textContent = `${this.describe(t)} = ${t.value !== undefined ? fmt(t.value) : "–"}`;
    if (document.activeElement !== this.cardInput && t.value !== undefined) {
      this.cardInput.value = String(t.value);
    }
  }

  commitCard() {
    const t = this.cardTarget;
    if (!t) return;
    const value = Number(this.cardInput.value);
    if (this.cardInput.value.trim() === "" || !Number.isFinite(value)) {
      this.h.error?.(`"${this.cardInput.value}" is not a number.`);
      return;
    }
    const msg = { type: "set_weight", layer: t.layer, kind: t.kind, to: t.row ?? t.to, value };
    if (t.kind === "weight") msg.from = t.from;
    this.h.setWeight(msg);
    this.cardInput.blur();
  }

  scheduleClose() {
    clearTimeout(this.cardTimer);
    this.cardTimer = setTimeout(() => {
      if (document.activeElement === this.cardInput || this.card.matches(":hover")) return;
      this.closeCard();
    }, 350);
  }

  closeCard() {
    this.card.hidden = true;
    if (this.cardTarget?.g) this.cardTarget.g.classList.remove("hover");
    this.cardTarget = null;
  }
}
