// The loss-surface panel: the training loss over a 2-D slice of weight space around the
// current weights (the server's `surface` message, computed by playground/surface.py),
// with the optimiser's path projected onto it, coloured by the optimiser that made each
// step. Two directions: random filter-normalised ones (Li et al. 2018) or two chosen
// weights. The page computes no loss: it paints the server's 25×25 grid (log scale).

import { $, app, send } from "./page.js";
import { _, format, onLanguage } from "./i18n.js";

const PATH_COLORS = { sgd: "#ffffff", momentum: "#f59322", adam: "#e03fd8", rmsprop: "#3fd8e0" };
const OPTIMIZER_NAMES = { sgd: "SGD", momentum: "Momentum", adam: "Adam", rmsprop: "RMSprop" };

const view = { on: false, mode: "random", msg: null, layers: null, pieces: 1 };

export function bindSurface() {
  $("surface-toggle").addEventListener("change", (e) => {
    view.on = e.target.checked;
    $("surface-body").hidden = !view.on;
    ask();
  });
  $("surface-mode").addEventListener("change", (e) => {
    view.mode = e.target.value;
    render();
    ask();
  });
  for (const id of ["surface-a", "surface-b"]) $(id).addEventListener("change", ask);
  $("surface-new").addEventListener("click", ask);
  onLanguage(() => {
    render();
    paint();
  });
  render();
}

function pick(id) {
  const [layer, to, from] = $(id).value.split(",");
  return [Number(layer), Number(to), from === "b" ? null : Number(from)];
}

function ask() {
  if (!app.session) return;
  const directions = view.on ? view.mode : "off";
  const msg = { type: "surface", directions };
  if (directions === "weights") Object.assign(msg, { a: pick("surface-a"), b: pick("surface-b") });
  if (directions === "weights" && msg.a.join() === msg.b.join()) return;
  send(msg);
}

// The weights the selects offer: every weight and bias of the dense layers, named as
// the network draws them (layer l: unit j ← input i).
function weightOptions() {
  const out = [];
  const layers = view.layers ?? [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const rows = layers[l + 1] * (l + 2 < layers.length ? view.pieces : 1);
    for (let to = 0; to < rows; to++) {
      for (let from = 0; from < layers[l]; from++) {
        out.push([`${l},${to},${from}`, format(_("layer {l}: w {from}→{to}"), { l: l + 1, from: from + 1, to: to + 1 })]);
      }
      out.push([`${l},${to},b`, format(_("layer {l}: bias {to}"), { l: l + 1, to: to + 1 })]);
    }
  }
  return out;
}

function render() {
  const mode = $("surface-mode");
  mode.innerHTML = "";
  for (const [value, text] of [["random", _("Random directions (filter-normalised)")], ["weights", _("Two weights")]]) {
    mode.add(new window.Option(text, value, false, value === view.mode));
  }
  const options = weightOptions();
  for (const [id, fallback] of [["surface-a", 0], ["surface-b", 1]]) {
    const select = $(id);
    const keep = select.value;
    select.innerHTML = "";
    for (const [value, text] of options) select.add(new window.Option(text, value));
    select.value = options.some(([v]) => v === keep) ? keep : options[Math.min(fallback, options.length - 1)]?.[0] ?? "";
  }
  $("surface-weights").hidden = view.mode !== "weights";
  $("surface-new").hidden = view.mode !== "random";
  const legend = $("surface-legend");
  legend.textContent = "";
  for (const [k, color] of Object.entries(PATH_COLORS)) {
    const s = document.createElement("span");
    const i = document.createElement("i");
    i.style.background = color;
    s.append(i, OPTIMIZER_NAMES[k]);
    legend.appendChild(s);
  }
}

// A new network: the weights to choose from change (the server starts a new path).
export function surfaceNetwork(msg) {
  view.layers = msg.layers;
  view.pieces = msg.pieces ?? 1;
  render();
}

// A connection (or a new one after a restart): the panel asks again if it is open.
export function surfaceHello() {
  if (view.on) ask();
}

export function onSurface(msg) {
  view.msg = msg;
  window.__fcnnSurface = msg;
  requestAnimationFrame(paint);
}

// Loss → colour: dark blue (low) to yellow (high), over log(loss) between the grid's
// smallest and largest finite values.
function ramp(t) {
  const stops = [[13, 8, 135], [126, 3, 168], [204, 71, 120], [248, 149, 64], [240, 249, 33]];
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return stops[i].map((c, k) => Math.round(c + (stops[i + 1][k] - c) * f));
}

function paint() {
  const msg = view.msg;
  const canvas = $("surface-canvas");
  if (!msg || !view.on || $("surface-body").hidden) return;
  const dpr = window.devicePixelRatio || 1;
  const css = canvas.getBoundingClientRect().width || 240;
  const W = Math.round(css * dpr);
  if (canvas.width !== W) canvas.width = canvas.height = W;
  const ctx = canvas.getContext("2d");
  const n = msg.size;
  const logs = msg.values.map((v) => (Number.isFinite(v) && v > 0 ? Math.log(v) : null));
  const finite = logs.filter((v) => v !== null);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const grid = document.createElement("canvas");
  grid.width = grid.height = n;
  const g = grid.getContext("2d");
  const img = g.createImageData(n, n);
  logs.forEach((v, i) => {
    const c = v === null ? [255, 255, 255] : ramp(hi > lo ? (v - lo) / (hi - lo) : 0);
    img.data.set([...c, 255], 4 * i);
  });
  g.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(grid, 0, 0, W, W);
  // The path: (α, β) in [−R, R]², β up; the current weights are the centre.
  const R = msg.range;
  const at = ([a, b]) => [((a + R) / (2 * R)) * W, ((R - b) / (2 * R)) * W];
  ctx.lineWidth = 2 * dpr;
  for (let i = 1; i < msg.path.length; i++) {
    if (!msg.path[i] || !msg.path[i - 1] || msg.path[i].includes(null)) continue;
    ctx.strokeStyle = PATH_COLORS[msg.optimizers[i]] ?? "#fff";
    ctx.beginPath();
    ctx.moveTo(...at(msg.path[i - 1]));
    ctx.lineTo(...at(msg.path[i]));
    ctx.stroke();
  }
  ctx.fillStyle = "#fff";
  ctx.strokeStyle = "#1f2933";
  ctx.beginPath();
  ctx.arc(W / 2, W / 2, 4 * dpr, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
  const axes = msg.directions === "weights"
    ? [$("surface-a").selectedOptions[0]?.text ?? "α", $("surface-b").selectedOptions[0]?.text ?? "β"]
    : ["α", "β"];
  $("surface-caption").textContent = format(
    _("Training loss around the current weights (centre, {center}) at epoch {epoch}; {a} and {b} from −{r} to {r}; path: {n} epochs."),
    { center: msg.center ?? "–", epoch: msg.epoch, a: axes[0], b: axes[1], r: R, n: msg.path.length },
  );
}
