// Draw your own data: with "Draw" on, a click or a drag on the output map adds points of
// the chosen class (or, for values, of the chosen target), a right-click, a long press
// (phones) or the eraser removes the nearest one, "Clear" removes them all. The set goes
// to the server as a `draw` message (docs/playground-protocol.md), which trains on it as
// on an uploaded CSV; while it is the data in force it is in the link (drawlink.js).

import { $, app, send, writeFragment } from "./page.js";
import { classColor, diverging, rgb } from "./colors.js";
import { outputMap } from "./views.js";
import { _, format, N_, onLanguage } from "./i18n.js";
import { decodeDrawn, encodeDrawn, LINK_MAX_POINTS, snap } from "./drawlink.js";

const MAX_CLASSES = 6;
const SPACING = 0.35; // a drag adds a point every this far (domain units)
const ERASE_RADIUS = 0.6;
const LONG_PRESS_MS = 550;

const draw = {
  on: false,
  erase: false,
  task: "classification",
  label: 0,
  target: 0.5,
  set: { task: "classification", x: [], y: [] },
  sent: false, // the set in force on the server is this one
  timer: 0,
};

function button(id, text, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.id = id;
  b.className = "text-button";
  b.setAttribute("data-testid", id);
  b.dataset.text = text;
  b.addEventListener("click", onClick);
  return b;
}

// The bar under the map: Draw, the kind, the class swatches or the target, Erase, Clear.
export function bindDraw() {
  const bar = $("draw-bar");
  const toggle = button("draw-toggle", N_("Draw"), () => setDrawing(!draw.on));
  const kind = document.createElement("select");
  kind.id = "draw-kind";
  kind.setAttribute("data-testid", "draw-kind");
  kind.addEventListener("change", () => {
    draw.task = kind.value;
    if (draw.set.x.length && draw.set.task !== draw.task) clearPoints();
    render();
  });
  const swatches = document.createElement("span");
  swatches.className = "draw-swatches";
  swatches.setAttribute("role", "radiogroup");
  for (let k = 0; k < MAX_CLASSES; k++) {
    const s = document.createElement("button");
    s.type = "button";
    s.className = "draw-swatch";
    s.dataset.label = k;
    s.setAttribute("data-testid", `draw-class-${k}`);
    s.setAttribute("role", "radio");
    s.style.background = rgb(classColor(k));
    s.addEventListener("click", () => {
      draw.label = k;
      render();
    });
    swatches.appendChild(s);
  }
  const target = document.createElement("input");
  Object.assign(target, { type: "range", min: -1, max: 1, step: 0.1, value: draw.target, id: "draw-target" });
  target.setAttribute("data-testid", "draw-target");
  target.addEventListener("input", () => {
    draw.target = Number(target.value);
    render();
  });
  const targetValue = document.createElement("output");
  targetValue.id = "draw-target-value";
  const erase = button("draw-erase", N_("Erase"), () => {
    draw.erase = !draw.erase;
    render();
  });
  const clear = button("draw-clear", N_("Clear"), clearPoints);
  const note = document.createElement("span");
  note.id = "draw-note";
  note.className = "draw-note";
  note.setAttribute("data-testid", "draw-note");
  bar.append(toggle, kind, swatches, target, targetValue, erase, clear, note);
  bindPointer();
  // The map changes size when what is under it does (views.relayout: the metrics, a
  // callout): the points drawn over it follow, or they would sit off their places.
  new ResizeObserver(drawOverlay).observe($("output-map"));
  onLanguage(render);
  render();
}

function render() {
  const bar = $("draw-bar");
  if (!bar.childElementCount) return;
  for (const b of bar.querySelectorAll("button[data-text]")) b.textContent = _(b.dataset.text);
  $("draw-toggle").setAttribute("aria-pressed", String(draw.on));
  $("draw-toggle").title = _("Draw your own data: click or drag on the map; right-click or long-press erases");
  $("draw-erase").setAttribute("aria-pressed", String(draw.erase));
  const kind = $("draw-kind");
  kind.innerHTML = "";
  for (const [value, text] of [["classification", _("Classes")], ["regression", _("Values")]]) {
    kind.add(new window.Option(text, value, false, value === draw.task));
  }
  const values = draw.task === "regression";
  for (const s of bar.querySelectorAll(".draw-swatch")) {
    const k = Number(s.dataset.label);
    s.setAttribute("aria-checked", String(k === draw.label));
    s.title = format(_("class {k}"), { k });
  }
  $("draw-target-value").textContent = draw.target.toFixed(1);
  for (const e of bar.querySelectorAll("#draw-kind, #draw-erase, #draw-clear")) e.hidden = !draw.on;
  bar.querySelector(".draw-swatches").hidden = !draw.on || values;
  $("draw-target").hidden = !draw.on || !values;
  $("draw-target-value").hidden = !draw.on || !values;
  const n = draw.set.x.length;
  let text = "";
  if (draw.on) {
    text = n < 2 ? _("Click the map to add points (two at least).") : format(_("{n} points"), { n });
    if (n > LINK_MAX_POINTS) text += ` · ${format(_("over {max}: not kept in the link"), { max: LINK_MAX_POINTS })}`;
  }
  $("draw-note").textContent = text;
  document.body.classList.toggle("drawing", draw.on);
  drawOverlay();
}

function setDrawing(on) {
  draw.on = on;
  render();
}

function clearPoints() {
  draw.set = { task: draw.task, x: [], y: [] };
  render();
}

// ---- the pointer ------------------------------------------------------------------
function domainPoint(e) {
  const r = $("output-map").getBoundingClientRect();
  return outputMap.pointAt(e.clientX - r.left, e.clientY - r.top);
}

function bindPointer() {
  const map = $("output-map");
  let last = null;
  let press = 0;
  map.addEventListener("contextmenu", (e) => {
    if (draw.on) e.preventDefault();
  });
  map.addEventListener("pointerdown", (e) => {
    if (!draw.on) return;
    const p = domainPoint(e);
    if (!p) return;
    e.preventDefault();
    map.setPointerCapture?.(e.pointerId);
    if (draw.erase || e.button === 2) {
      eraseNear(p);
      last = null;
      return;
    }
    last = addPoint(p);
    // A long press (a phone's right-click) takes back the point it made and erases.
    clearTimeout(press);
    press = setTimeout(() => {
      if (!last) return;
      removeIndex(draw.set.x.length - 1);
      eraseNear(last);
      last = null;
    }, LONG_PRESS_MS);
  });
  map.addEventListener("pointermove", (e) => {
    if (!draw.on || !last || !e.buttons) return;
    const p = domainPoint(e);
    if (!p || Math.hypot(p.x1 - last.x1, p.x2 - last.x2) < SPACING) return;
    clearTimeout(press);
    last = addPoint(p);
  });
  const end = () => {
    clearTimeout(press);
    last = null;
  };
  map.addEventListener("pointerup", end);
  map.addEventListener("pointercancel", end);
}

function addPoint(p) {
  const regression = draw.task === "regression";
  if (draw.set.task !== draw.task) draw.set = { task: draw.task, x: [], y: [] };
  draw.set.x.push([snap(p.x1), snap(p.x2)]);
  draw.set.y.push(regression ? snap(draw.target, true) : draw.label);
  changed();
  return p;
}

function removeIndex(i) {
  draw.set.x.splice(i, 1);
  draw.set.y.splice(i, 1);
}

function eraseNear(p) {
  let best = -1;
  let dist = ERASE_RADIUS;
  draw.set.x.forEach(([a, b], i) => {
    const d = Math.hypot(a - p.x1, b - p.x2);
    if (d < dist) [best, dist] = [i, d];
  });
  if (best >= 0) {
    removeIndex(best);
    changed();
  }
}

// Points changed: drawn at once, sent a moment later (a drag sends once).
function changed() {
  render();
  clearTimeout(draw.timer);
  draw.timer = setTimeout(sendSet, 250);
}

function sendSet() {
  if (draw.set.x.length < 2) return;
  app.page.drawn = encodeDrawn(draw.set);
  draw.sent = true;
  send({ type: "draw", task: draw.set.task, x: draw.set.x, y: draw.set.y });
}

// ---- the link and the server ---------------------------------------------------------
// On connecting: the link's drawn set goes to the server before the link's config (whose
// `dataset=upload` then finds it).
export function sendLinkDrawn(text) {
  const set = text ? decodeDrawn(text) : null;
  if (!set || set.x.length < 2) return;
  draw.set = set;
  draw.task = set.task;
  draw.sent = true;
  app.page.drawn = text;
  send({ type: "draw", task: set.task, x: set.x, y: set.y });
  render();
}

// Every config echo: a data set other than the drawn one leaves the link.
export function drawnConfig(config) {
  if (config?.dataset !== "upload" && draw.sent) {
    draw.sent = false;
    app.page.drawn = "";
    writeFragment();
  }
}

// A CSV was uploaded: the drawn set is no longer the data.
export function forgetDrawn() {
  draw.sent = false;
  app.page.drawn = "";
}

// The drawn points over the map while drawing (all of them: the server shows only the
// training points unless "show test data" is on).
function drawOverlay() {
  let canvas = $("draw-overlay");
  const map = $("output-map");
  if (!canvas) {
    canvas = document.createElement("canvas");
    canvas.id = "draw-overlay";
    canvas.className = "draw-overlay";
    map.parentElement.appendChild(canvas);
  }
  canvas.width = map.width;
  canvas.height = map.height;
  canvas.style.width = `${map.getBoundingClientRect().width}px`;
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const box = outputMap.box;
  if (!draw.on || !box) return;
  const [lo, hi] = outputMap.domain();
  const r = Math.max(4 * box.dpr, box.size / 70);
  ctx.lineWidth = 1.5 * box.dpr;
  ctx.strokeStyle = "#1f2933";
  draw.set.x.forEach(([a, b], i) => {
    const y = draw.set.y[i];
    ctx.fillStyle = rgb(draw.set.task === "regression" ? diverging(y) : classColor(y));
    ctx.beginPath();
    ctx.arc(box.x0 + ((a - lo) / (hi - lo)) * box.size, box.y0 + box.size - ((b - lo) / (hi - lo)) * box.size, r, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  });
}

export const drawing = draw; // for tests and the curious
