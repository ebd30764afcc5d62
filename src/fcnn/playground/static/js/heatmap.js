// Heat maps on <canvas>: the small neuron squares, the big output map with the data
// points on top, and the data-set thumbnails. A grid of n×n values is row-major with
// row 0 at the top (x2 = hi) and column 0 at x1 = lo, as the protocol sends it.

import { classColor, classShade, diverging, rgb } from "./colors.js";

// Paints an n×n grid into `canvas` (whose pixel size becomes n×n; CSS scales it up
// smoothly). `mode`: {scale} for signed values divided by `scale`, or {classes, k} for
// multiclass (values = winning probability), and `discretize` for sign / argmax only.
export function paintGrid(canvas, values, mode = {}) {
  const n = Math.round(Math.sqrt(values.length));
  if (!n) return;
  if (canvas.width !== n || canvas.height !== n) {
    canvas.width = n;
    canvas.height = n;
  }
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(n, n);
  const d = img.data;
  const scale = mode.scale || 1;
  // `soft` (the big map) keeps the strongest colour for the points drawn on top.
  const soft = mode.soft ?? 1;
  for (let i = 0; i < n * n; i++) {
    let c;
    if (mode.classes) {
      const k = mode.k || 2;
      const t = mode.discretize ? 1 : (values[i] - 1 / k) / (1 - 1 / k);
      c = classShade(mode.classes[i], (mode.discretize ? 0.62 : t) * soft);
    } else {
      let v = values[i] / scale;
      // Discretized: a flat, lighter tone per side, so the points stay the strongest marks.
      if (mode.discretize) v = v > 0 ? 0.72 : v < 0 ? -0.72 : 0;
      c = diverging(v * soft);
    }
    d[4 * i] = c[0];
    d[4 * i + 1] = c[1];
    d[4 * i + 2] = c[2];
    d[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

// `output.fine` (protocol): the output over the 100×100 grid, one byte q per value for
// lo + q·(hi − lo)/254 (and the classes, one byte each), base64; decoded once per state.
const QUANTA = 254;
const decoded = new WeakMap();

function base64Bytes(text) {
  return Uint8Array.from(window.atob(text), (ch) => ch.charCodeAt(0));
}

export function fineOutput(out) {
  const f = out?.fine;
  if (!f?.bytes) return null;
  let grid = decoded.get(out);
  if (!grid) {
    const step = (f.hi - f.lo) / QUANTA;
    const values = Float32Array.from(base64Bytes(f.bytes), (q) => f.lo + q * step);
    grid = { values, classes: f.classes ? base64Bytes(f.classes) : null };
    decoded.set(out, grid);
  }
  return grid;
}

// The value of a feature at (x1, x2), for drawing the thumbnails of features that are
// not in the network (the server sends only the active ones). Unknown names: null.
export function featureFunction(name) {
  const f = {
    x1: (a) => a,
    x2: (a, b) => b,
    "x1^2": (a) => a * a,
    "x2^2": (a, b) => b * b,
    x1x2: (a, b) => a * b,
    sin_x1: (a) => Math.sin(a),
    sin_x2: (a, b) => Math.sin(b),
  }[name];
  return f ?? null;
}

export function gridOf(fn, domain, n) {
  const [lo, hi] = domain;
  const out = new Array(n * n);
  for (let r = 0; r < n; r++) {
    const x2 = hi - ((hi - lo) * r) / (n - 1);
    for (let c = 0; c < n; c++) {
      const x1 = lo + ((hi - lo) * c) / (n - 1);
      out[r * n + c] = fn(x1, x2);
    }
  }
  return out;
}

export function maxAbs(values) {
  let m = 0;
  for (const v of values) {
    const a = Math.abs(v);
    if (a > m && Number.isFinite(a)) m = a;
  }
  return m;
}

// The big output map: heat map, axes, training (white ring) and test (dark ring) points.
export class OutputMap {
  constructor(canvas) {
    this.canvas = canvas;
    this.grid = document.createElement("canvas");
    this.data = null;
    this.state = null;
    this.task = "classification";
    this.classes = 1;
    this.showTest = false;
    this.discretize = false;
    this.preview = null; // {values, scale} of a hovered neuron
  }

  resize() {
    const css = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(50, Math.round(css.width * dpr));
    const h = Math.max(50, Math.round(css.height * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.draw();
  }

  domain() {
    return this.data?.domain ?? [-6, 6];
  }

  targetScale() {
    // Regression colours run over the data's target range, so a plane shows its full
    // gradient whatever its units.
    if (!this.data) return 1;
    let m = 0;
    for (const part of [this.data.train, this.data.test]) {
      for (const y of part?.y ?? []) m = Math.max(m, Math.abs(y));
    }
    return m > 0 ? m : 1;
  }

  // The data and the output were made for the network in force (its task and class
  // count): between a new `network` message and the `data` / `state` that follow it,
  // the old ones are not drawn (old regression targets are no class indices).
  matchesNetwork(part) {
    return !!part && part.task === this.task && part.classes === this.classes;
  }

  draw() {
    const ctx = this.canvas.getContext("2d");
    const W = this.canvas.width;
    const H = this.canvas.height;
    const dpr = window.devicePixelRatio || 1;
    const pad = Math.round(26 * dpr * (W / dpr > 400 ? 1.15 : 1));
    const size = Math.min(W - pad - 8 * dpr, H - pad - 8 * dpr);
    const x0 = pad;
    const y0 = 8 * dpr;
    this.box = { x0, y0, size, dpr };
    ctx.clearRect(0, 0, W, H);

    const regression = this.task === "regression";
    if (this.preview) {
      paintGrid(this.grid, this.preview.values, { scale: this.preview.scale });
    } else if (this.state?.output?.values?.length && this.matchesNetwork(this.state)) {
      // The fine 100×100 grid when the server sent it, else the 50×50 numbers.
      const out = fineOutput(this.state.output) ?? this.state.output;
      if (out.classes && this.classes > 2) {
        paintGrid(this.grid, out.values, {
          classes: out.classes, k: this.classes, discretize: this.discretize, soft: 0.72,
        });
      } else {
        paintGrid(this.grid, out.values, {
          scale: regression ? this.targetScale() : 1,
          discretize: this.discretize && !regression,
          soft: 0.85,
        });
      }
    } else {
      this.grid.width = this.grid.height = 1;
      const g = this.grid.getContext("2d");
      g.fillStyle = rgb([232, 234, 235]);
      g.fillRect(0, 0, 1, 1);
    }
    ctx.imageSmoothingEnabled = !(this.discretize && !this.preview);
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(this.grid, x0, y0, size, size);

    // Axes: ticks along the bottom and the left.
    const [lo, hi] = this.domain();
    ctx.fillStyle = "#3e4c59";
    ctx.strokeStyle = "#9aa5b1";
    ctx.lineWidth = dpr;
    ctx.font = `${Math.round(12 * dpr)}px "Helvetica Neue", Helvetica, Arial, sans-serif`;
    const span = hi - lo;
    const step = niceStep(span / 4);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) {
      const x = x0 + ((t - lo) / span) * size;
      ctx.beginPath();
      ctx.moveTo(x, y0 + size);
      ctx.lineTo(x, y0 + size + 4 * dpr);
      ctx.stroke();
      ctx.fillText(fmtTick(t), x, y0 + size + 6 * dpr);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) {
      const y = y0 + size - ((t - lo) / span) * size;
      ctx.beginPath();
      ctx.moveTo(x0 - 4 * dpr, y);
      ctx.lineTo(x0, y);
      ctx.stroke();
      ctx.fillText(fmtTick(t), x0 - 6 * dpr, y);
    }
    ctx.strokeStyle = "#c3cad1";
    ctx.strokeRect(x0 + 0.5, y0 + 0.5, size - 1, size - 1);

    if (!this.matchesNetwork(this.data)) return;
    const r = Math.max(3 * dpr, size / 82);
    const yScale = this.targetScale();
    const drawPoints = (part, test) => {
      if (!part?.x) return;
      ctx.lineWidth = dpr * (test ? 1.2 : 1);
      // Regression points near zero are pale: a dark ring keeps them visible.
      ctx.strokeStyle = test ? "rgba(31, 41, 51, 0.9)" : regression ? "rgba(31, 41, 51, 0.45)" : "#ffffff";
      for (let i = 0; i < part.x.length; i++) {
        const [a, b] = part.x[i];
        const px = x0 + ((a - lo) / span) * size;
        const py = y0 + size - ((b - lo) / span) * size;
        if (px < x0 || px > x0 + size || py < y0 || py > y0 + size) continue;
        const y = part.y[i];
        ctx.fillStyle = regression
          ? rgb(diverging(y / yScale))
          : this.classes > 2
            ? rgb(classColor(y))
            : rgb(y > 0 ? classColor(1) : classColor(0));
        ctx.beginPath();
        ctx.arc(px, py, r, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    };
    drawPoints(this.data.train, false);
    if (this.showTest) drawPoints(this.data.test, true);
  }
}

// The domain point under canvas pixel (px, py) (CSS pixels), or null off the plot.
OutputMap.prototype.pointAt = function pointAt(px, py) {
  const b = this.box;
  if (!b) return null;
  const x = (px * b.dpr - b.x0) / b.size;
  const y = (py * b.dpr - b.y0) / b.size;
  if (x < 0 || x > 1 || y < 0 || y > 1) return null;
  const [lo, hi] = this.domain();
  return { x1: lo + x * (hi - lo), x2: hi - y * (hi - lo), col: x, row: y };
};

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

function fmtTick(t) {
  return Math.abs(t) < 1e-9 ? "0" : String(Math.round(t * 1000) / 1000);
}

// Draws a data set's thumbnail into `canvas` (a CSS-sized square) from the server's
// sample of it (GET /api/thumbnails: the points of the generator a session uses):
// classes in their colours, regression targets on the diverging scale.
export function drawThumbnail(canvas, sample, domain = [-6, 6]) {
  const dpr = window.devicePixelRatio || 1;
  const n = Math.round((canvas.clientWidth || 56) * dpr);
  canvas.width = n;
  canvas.height = n;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = rgb([246, 247, 248]);
  ctx.fillRect(0, 0, n, n);
  if (!sample?.x) return;
  const [lo, hi] = domain;
  const to = (v) => ((v - lo) / (hi - lo)) * n;
  const regression = sample.task === "regression";
  const scale = regression ? maxAbs(sample.y) || 1 : 1;
  const r = Math.max(1.2 * dpr, n / 40);
  for (let i = 0; i < sample.x.length; i++) {
    const [a, b] = sample.x[i];
    const y = sample.y[i];
    ctx.fillStyle = rgb(regression ? diverging(y / scale) : classColor(y));
    ctx.beginPath();
    ctx.arc(to(a), n - to(b), r, 0, 2 * Math.PI);
    ctx.fill();
  }
}
