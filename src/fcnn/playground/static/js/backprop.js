// Backprop mode (issue #16, "See backprop happen"): the network freezes, the learner
// picks one training point (a click on the output map) or the notes' 2-2-2 worked example,
// and steps through its forward pass, loss, backward pass and SGD update. Every number
// comes from the server's `backprop` message (fcnn.explain's trace, docs/playground-
// protocol.md); this module only chooses which to show and prints them to 9 decimals,
// trailing zeros trimmed, as the notes and `fcnn explain` do. Nothing is recomputed here.

import { $, app, send } from "./page.js";
import { outputMap } from "./views.js";
import { _ } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const bp = { on: false, msg: null, steps: [], at: 0, pinned: null };

// A number as fcnn.explain prints it (render_common.number_format with 9 digits).
export function fmt(v, wrap = false) {
  if (v === null || v === undefined) return "–";
  let t;
  if (!Number.isFinite(v)) t = String(v);
  else if (v !== 0 && (Math.abs(v) < 1e-5 || Math.abs(v) >= 1e7)) t = v.toExponential(6);
  else {
    t = v.toFixed(9).replace(/0+$/, "").replace(/\.$/, "");
    if (t === "-0") t = "0";
  }
  t = t.replace(/-/g, "−");
  return wrap && t.startsWith("−") ? `(${t})` : t;
}

const say = (template, fields) => template.replace(/\{(\w+)\}/g, (m, k) => (k in fields ? fields[k] : m));

// ---- the mode ----------------------------------------------------------------------
export function bindBackprop() {
  $("backprop-button").addEventListener("click", () => (bp.on ? leave() : enter()));
  $("backprop-preset").addEventListener("click", () => send({ type: "backprop", source: "preset" }));
  $("backprop-prev").addEventListener("click", () => go(bp.at - 1));
  $("backprop-next").addEventListener("click", () => go(bp.at + 1));
  $("backprop-close").addEventListener("click", leave);
  $("play-button").addEventListener("click", () => bp.on && leave());
  $("output-map").addEventListener("click", pickPoint);
  document.addEventListener("keydown", (e) => {
    if (!bp.on || e.target.closest?.("input, select, textarea")) return;
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.stopImmediatePropagation(); // in this mode the arrows step the trace, not training
      go(bp.at + (e.key === "ArrowRight" ? 1 : -1));
    }
  }, true);
}

function enter() {
  bp.on = true;
  if (app.running) send({ type: "pause" });
  document.body.classList.add("backprop-mode");
  $("backprop-button").setAttribute("aria-pressed", "true");
  $("backprop-panel").hidden = false;
  render();
}

function leave() {
  bp.on = false;
  document.body.classList.remove("backprop-mode");
  $("backprop-button").setAttribute("aria-pressed", "false");
  $("backprop-panel").hidden = true;
  markPoint();
}

// A click on the output map picks the training point nearest to it.
function pickPoint(e) {
  if (!bp.on || !app.data?.train?.x?.length) return;
  const r = e.currentTarget.getBoundingClientRect();
  const p = outputMap.pointAt(e.clientX - r.left, e.clientY - r.top);
  if (!p) return;
  let best = -1;
  let dist = Infinity;
  app.data.train.x.forEach(([a, b], i) => {
    const d = (a - p.x1) ** 2 + (b - p.x2) ** 2;
    if (d < dist) [best, dist] = [i, d];
  });
  if (best >= 0) send({ type: "backprop", source: "point", index: best });
}

export function onBackprop(msg) {
  bp.msg = msg;
  bp.pinned = null;
  const L = msg.trace.sizes.length - 1;
  const steps = [{ kind: "start" }];
  for (let l = 1; l <= L; l++) steps.push({ kind: "forward", layer: l });
  steps.push({ kind: "loss" });
  for (let l = L; l >= 1; l--) steps.push({ kind: "backward", layer: l });
  steps.push({ kind: "update" }, { kind: "next" });
  bp.steps = steps;
  if (!bp.on) enter();
  go(0);
}

function go(i) {
  if (!bp.msg) return;
  bp.at = Math.max(0, Math.min(bp.steps.length - 1, i));
  render();
}

// What the current step has revealed.
function shown() {
  const step = bp.steps[bp.at] ?? { kind: "start" };
  const L = bp.msg.trace.sizes.length - 1;
  const order = ["start", "forward", "loss", "backward", "update", "next"];
  const k = order.indexOf(step.kind);
  return {
    step,
    forward: step.kind === "forward" ? step.layer : k > 1 ? L : 0,
    loss: k >= 2,
    backward: step.kind === "backward" ? step.layer : k > 3 ? 1 : L + 1,
    update: k >= 4,
    next: k >= 5,
  };
}

// ---- drawing -----------------------------------------------------------------------
function el(name, attrs = {}, parent = null, text = null) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// A ring on the output map around the training point being traced.
function markPoint() {
  const map = $("output-map");
  let ring = $("backprop-ring");
  if (!ring) {
    ring = Object.assign(document.createElement("div"), { id: "backprop-ring", className: "bp-ring" });
    ring.dataset.testid = "backprop-ring";
    map.parentElement.appendChild(ring);
  }
  const b = outputMap.box;
  const x = bp.msg?.point?.x;
  ring.hidden = !(bp.on && x && b);
  if (ring.hidden) return;
  const [lo, hi] = outputMap.domain();
  ring.style.left = `${(b.x0 + ((x[0] - lo) / (hi - lo)) * b.size) / b.dpr}px`;
  ring.style.top = `${(b.y0 + ((hi - x[1]) / (hi - lo)) * b.size) / b.dpr}px`;
}

function render() {
  markPoint();
  const has = !!bp.msg;
  $("backprop-prev").disabled = !has || bp.at === 0;
  $("backprop-next").disabled = !has || bp.at === bp.steps.length - 1;
  const svg = $("backprop-svg");
  svg.replaceChildren();
  if (!has) {
    $("backprop-caption").textContent = _("Click a training point on the output map, or take the notes' 2-2-2 example.");
    $("backprop-loss").textContent = "";
    $("backprop-stepno").textContent = "";
    showDetail(null);
    return;
  }
  const t = bp.msg.trace;
  const s = shown();
  const now = s.next ? bp.msg.next : t;
  $("backprop-stepno").textContent = say(_("Step {i} of {n}"), { i: bp.at + 1, n: bp.steps.length });
  $("backprop-caption").textContent = caption(s);
  renderLoss(s);

  const sizes = t.sizes;
  const W = 640;
  const H = Math.max(3, ...sizes) * 110 + 60;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const names = [Object.keys(t.inputs)];
  for (let l = 1; l < sizes.length; l++) {
    names.push(Object.values(t.units).filter((u) => u.layer === l).map((u) => u.name));
  }
  const pos = {};
  names.forEach((col, l) => {
    const x = 50 + (l * (W - 190)) / (sizes.length - 1);
    col.forEach((n, j) => {
      pos[n] = { x, y: 30 + ((H - 80) * (j + 0.5)) / col.length }; // room for 3 lines below
    });
  });
  const many = Object.keys(t.params).length > 16; // link labels would overlap: hover only
  for (const p of Object.values(t.params)) {
    if (p.kind !== "weight") continue;
    const a = pos[p.source];
    const b = pos[p.units[0]];
    const back = !s.next && p.layer >= s.backward;
    const g = el("g", { class: `bp-link${back ? " back" : ""}`, "data-param": p.name, tabindex: 0 }, svg);
    el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y }, g);
    el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "hit" }, g);
    if (!many) {
      // The weight near its source, above the link; its gradient near its target, below.
      const at = (f) => [a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)];
      const [x, y] = at(0.22);
      let label = `${p.name} = ${fmt(s.next ? p.updated : p.value)}`;
      if (s.update && !s.next) label = `${p.name}: ${fmt(p.value)} → ${fmt(p.updated)}`;
      el("text", { x, y: y - 6, class: "bp-wlabel" }, g, label);
      if (back) {
        const [gx, gy] = at(0.74);
        el("text", { x: gx, y: gy + 16, class: "bp-glabel" }, g, `∂E/∂${p.name} = ${fmt(p.gradient)}`);
      }
    }
    bindHover(g, () => linkDetail(p, s));
  }
  names.forEach((col, l) => {
    for (const n of col) {
      const { x, y } = pos[n];
      const g = el("g", { class: "bp-node", "data-unit": n, tabindex: 0 }, svg);
      const fwd = l === 0 || l <= s.forward;
      const back = !s.next && l > 0 && l >= s.backward;
      el("circle", { cx: x, cy: y, r: 22, class: back ? "back" : fwd ? "fwd" : "" }, g);
      el("text", { x, y: y + 5, class: "bp-name" }, g, n);
      const lines = [];
      if (l === 0) lines.push(`${fmt(t.inputs[n])}`);
      else if (fwd) {
        const u = now.units[n];
        lines.push(`net ${fmt(u.net)}`, `out ${fmt(u.out)}`);
        if (back) lines.push(`δ ${fmt(u.delta)}`);
      }
      lines.forEach((line, i) => el("text", { x, y: y + 40 + i * 15, class: `bp-value${i === 2 ? " delta" : ""}` }, g, line));
      if (l > 0) bindHover(g, () => nodeDetail(n, s));
      if (l === sizes.length - 1 && s.loss) {
        el("text", { x: x + 30, y: y + 5, class: "bp-target" }, g, `${_("target")} ${fmt(t.targets[n])}`);
      }
    }
  });
  showDetail(bp.pinned ? bp.pinned() : null);
}

function bindHover(g, detail) {
  g.addEventListener("mouseenter", () => showDetail(detail()));
  g.addEventListener("mouseleave", () => showDetail(bp.pinned ? bp.pinned() : null));
  g.addEventListener("click", () => {
    bp.pinned = detail; // a tap on a phone keeps it
    showDetail(detail());
  });
  g.addEventListener("focus", () => showDetail(detail()));
}

function showDetail(lines) {
  const box = $("backprop-detail");
  if (!lines || !lines.length) {
    box.textContent = bp.msg ? _("Hover over a node or a link to see its formula and numbers.") : "";
    box.classList.add("empty");
    return;
  }
  box.classList.remove("empty");
  box.replaceChildren(...lines.map((line) => Object.assign(document.createElement("div"), { textContent: line })));
}

function caption(s) {
  const t = bp.msg.trace;
  const L = t.sizes.length - 1;
  switch (s.step.kind) {
    case "start":
      return bp.msg.source === "preset"
        ? _("The notes' worked example: the network is frozen. Step forward through it.")
        : say(_("Training point {i} (x₁ = {x1}, x₂ = {x2}): the network is frozen. Step forward through it."), {
            i: bp.msg.index,
            x1: bp.msg.point.x[0].toFixed(2),
            x2: bp.msg.point.x[1].toFixed(2),
          });
    case "forward":
      return say(_("Forward, layer {l} of {n}: each unit's net input, then its output."), { l: s.step.layer, n: L });
    case "loss":
      return _("The loss: how far the outputs are from the targets.");
    case "backward":
      return say(_("Backward, layer {l}: each unit's δ = ∂E/∂net and each incoming link's ∂E/∂w."), { l: s.step.layer });
    case "update":
      return t.update_biases
        ? say(_("The update w ← w − η·∂E/∂w with η = {lr}."), { lr: fmt(t.lr) })
        : say(_("The update w ← w − η·∂E/∂w with η = {lr}; the biases are held fixed."), { lr: fmt(t.lr) });
    default:
      return _("The next forward pass, with the updated weights: the loss has fallen.");
  }
}

function renderLoss(s) {
  const box = $("backprop-loss");
  box.replaceChildren();
  if (!s.loss) return;
  const t = bp.msg.trace;
  const line = (text, id) => box.appendChild(Object.assign(document.createElement("div"), { textContent: text, id }));
  line(`${t.loss_formula}`, "backprop-loss-formula");
  const terms = Object.entries(t.loss_terms);
  const sum = terms.length > 1 ? `${terms.map(([k]) => `E_${k}`).join(" + ")} = ${terms.map(([, v]) => fmt(v)).join(" + ")} = ` : "";
  line(`E = ${sum}${fmt(t.loss)}`, "backprop-loss-value");
  if (s.next) line(say(_("Next pass: E = {before} → {after}"), { before: fmt(t.loss), after: fmt(bp.msg.next.loss) }), "backprop-next-loss");
}

// ---- what a hover shows ------------------------------------------------------------
const valueOf = (t, n) => (n in t.inputs ? t.inputs[n] : t.units[n].out);
const outName = (t, n) => (n in t.inputs ? n : `out_${n}`);

function nodeDetail(n, s) {
  const t = s.next ? bp.msg.next : bp.msg.trace;
  const u = t.units[n];
  const lines = [];
  if (u.layer > s.forward && !s.next) return [_("Not reached yet: step forward.")];
  const terms = u.weights.map((w, i) => `${w}·${outName(t, u.inputs[i])}`);
  const nums = u.weights.map((w, i) => `${fmt(t.params[w].value, true)}·${fmt(valueOf(t, u.inputs[i]), true)}`);
  if (u.bias) {
    terms.push(u.bias);
    nums.push(fmt(t.params[u.bias].value, true));
  }
  lines.push(`net_${n} = ${terms.join(" + ")} = ${nums.join(" + ")} = ${fmt(u.net)}`);
  lines.push(`out_${n} = ${u.out_formula} = ${fmt(u.out)}`);
  if (s.next || u.layer < s.backward) return lines;
  if (u.loss_gradient_formula) {
    lines.push(`∂E/∂out_${n} = ${u.loss_gradient_formula} = ${fmt(u.dE_dout)}`);
  } else {
    // A unit that fans out: ∂E/∂out is the sum over the paths through the units it feeds.
    const paths = u.downstream;
    lines.push(
      `∂E/∂out_${n} = ${paths.map((d) => `δ_${d.unit}·${d.weight}`).join(" + ")}` +
        ` = ${paths.map((d) => `${fmt(d.delta, true)}·${fmt(d.weight_value, true)}`).join(" + ")}` +
        (paths.length > 1 ? ` = ${paths.map((d) => fmt(d.product, true)).join(" + ")}` : "") +
        ` = ${fmt(u.dE_dout)}`,
    );
  }
  lines.push(`∂out_${n}/∂net_${n} = ${u.derivative_formula} = ${fmt(u.dout_dnet)}`);
  lines.push(`δ_${n} = ∂E/∂net_${n} = ∂E/∂out_${n} · ∂out_${n}/∂net_${n} = ${fmt(u.dE_dout, true)} · ${fmt(u.dout_dnet, true)} = ${fmt(u.delta)}`);
  return lines;
}

function linkDetail(p, s) {
  const t = bp.msg.trace;
  const [unit] = p.units;
  const lines = [say(_("{w}: from {a} to {b}"), { w: p.name, a: p.source, b: unit }) + `, ${p.name} = ${fmt(p.value)}`];
  if (s.next) return [`${p.name} = ${fmt(p.updated)}`];
  if (p.layer < s.backward) return lines;
  const [f] = p.factors;
  lines.push(
    `∂E/∂${p.name} = ∂E/∂out_${unit} · ∂out_${unit}/∂net_${unit} · ∂net_${unit}/∂${p.name}` +
      ` = ${fmt(f.dE_dout, true)} · ${fmt(f.dout_dnet, true)} · ${fmt(f.dnet_dparam, true)} = ${fmt(f.product)}`,
  );
  lines.push(`∂net_${unit}/∂${p.name} = ${f.source} = ${fmt(f.dnet_dparam)}`);
  const u = t.units[unit];
  if (u.downstream.length) {
    const paths = u.downstream;
    lines.push(
      say(_("{u} fans out: ∂E/∂out_{u} sums its paths"), { u: unit }) +
        `: ${paths.map((d) => `δ_${d.unit}·${d.weight}`).join(" + ")} = ${paths.map((d) => fmt(d.product, true)).join(" + ")} = ${fmt(u.dE_dout)}`,
    );
  }
  if (s.update) {
    lines.push(`${p.name} ← ${p.name} − η·∂E/∂${p.name} = ${fmt(p.value, true)} − ${fmt(t.lr, true)}·${fmt(p.gradient, true)} = ${fmt(p.updated)}`);
  }
  return lines;
}

// For tests and the curious.
window.__fcnnBackprop = bp;
