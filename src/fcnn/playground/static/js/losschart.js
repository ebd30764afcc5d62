// The live loss curve: the page keeps (epoch, train_loss, test_loss) from every `state`
// and clears it on `network`, `reset` and `data` (protocol). Drawn on a canvas, test
// loss dark and training loss grey, y from 0 to the largest loss seen.

import { _ } from "./i18n.js";

const MAX_POINTS = 2000;

export class LossChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.points = [];
  }

  clear() {
    this.points = [];
    this.draw();
  }

  add(epoch, train, test) {
    const last = this.points[this.points.length - 1];
    if (last && last[0] === epoch) {
      last[1] = train;
      last[2] = test;
    } else {
      if (last && epoch < last[0]) this.points = [];
      this.points.push([epoch, train, test]);
    }
    if (this.points.length > MAX_POINTS) {
      // Keep the first point and every second one after it: the curve's shape stays.
      this.points = this.points.filter((_, i) => i === 0 || i % 2 === 1);
    }
    this.draw();
  }

  resize() {
    const css = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(10, Math.round(css.width * dpr));
    this.canvas.height = Math.max(10, Math.round(css.height * dpr));
    this.draw();
  }

  draw() {
    const ctx = this.canvas.getContext("2d");
    const W = this.canvas.width;
    const H = this.canvas.height;
    const dpr = window.devicePixelRatio || 1;
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = "#f6f7f8";
    ctx.fillRect(0, 0, W, H);
    const pts = this.points.filter((p) => Number.isFinite(p[1]) || Number.isFinite(p[2]));
    if (pts.length < 2) {
      ctx.fillStyle = "#7b8794";
      ctx.font = `${Math.round(12 * dpr)}px "Helvetica Neue", Helvetica, Arial, sans-serif`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(_("the loss curve draws itself as the network trains"), W / 2, H / 2);
      return;
    }
    let maxY = 0;
    // A first epoch far above the rest would flatten the curve: past twenty points the
    // scale starts at the third one (the first two are clipped at the top).
    for (const p of pts.length > 20 ? pts.slice(2) : pts) {
      if (Number.isFinite(p[1])) maxY = Math.max(maxY, p[1]);
      if (Number.isFinite(p[2])) maxY = Math.max(maxY, p[2]);
    }
    if (maxY <= 0) maxY = 1;
    const x0 = pts[0][0];
    const x1 = pts[pts.length - 1][0];
    const pad = 3 * dpr;
    const sx = (e) => pad + ((e - x0) / Math.max(1, x1 - x0)) * (W - 2 * pad);
    const sy = (v) => H - pad - (Math.min(v, maxY) / maxY) * (H - 2 * pad);
    const line = (idx, color, width) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width * dpr;
      ctx.lineJoin = "round";
      ctx.beginPath();
      let started = false;
      for (const p of pts) {
        if (!Number.isFinite(p[idx])) continue;
        if (!started) ctx.moveTo(sx(p[0]), sy(p[idx]));
        else ctx.lineTo(sx(p[0]), sy(p[idx]));
        started = true;
      }
      ctx.stroke();
    };
    line(1, "#9aa5b1", 1.6);
    line(2, "#1f2933", 1.8);
  }
}
