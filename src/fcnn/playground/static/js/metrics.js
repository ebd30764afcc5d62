// The metrics beside the loss (`state.metrics`, protocol): accuracy and the confusion
// matrix of the test data for a classification, R² and RMSE for a regression. The
// numbers come from fcnn.metrics on the server; this module only writes them out.

import { classColor, rgb } from "./colors.js";
import { _ } from "./i18n.js";

function fmt(v) {
  return Number.isFinite(v) ? v.toFixed(3) : "–";
}

function el(tag, text, parent, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  parent.appendChild(e);
  return e;
}

// One row: the metric's name, then its value on the test and on the training data.
function row(table, name, key, metrics) {
  const tr = el("tr", undefined, table);
  el("th", name, tr);
  el("td", fmt(metrics.test[key]), tr).dataset.testid = `metric-test-${key}`;
  el("td", fmt(metrics.train[key]), tr).dataset.testid = `metric-train-${key}`;
}

// The test data's confusion matrix: rows the true class, columns the predicted one;
// a cell's shade is its share of its row, so a good classifier shows a dark diagonal.
function confusion(parent, matrix) {
  const details = el("details", undefined, parent, "confusion");
  el("summary", _("Confusion matrix"), details);
  details.title = _("Test data. Rows: the true class; columns: the predicted class");
  const table = el("table", undefined, details);
  table.dataset.testid = "confusion";
  const head = el("tr", undefined, table);
  el("th", _("true ╲ predicted"), head, "corner");
  matrix.forEach((_row, j) => {
    const th = el("th", String(j), head);
    th.style.color = rgb(classColor(j));
  });
  matrix.forEach((counts, i) => {
    const tr = el("tr", undefined, table);
    el("th", String(i), tr).style.color = rgb(classColor(i));
    const total = counts.reduce((a, b) => a + b, 0) || 1;
    counts.forEach((n) => {
      const td = el("td", String(n), tr);
      td.style.background = `rgba(24, 61, 78, ${(0.75 * n) / total})`;
      if (n / total > 0.5) td.style.color = "#fff";
    });
  });
}

// `relayout`: called when the block's height may have changed (shown, hidden, the
// matrix opened or closed), so that the map under it keeps to the window.
export function drawMetrics(box, metrics, task, relayout) {
  const open = box.querySelector("details")?.open ?? false;
  box.textContent = "";
  box.hidden = !metrics?.test || !metrics?.train;
  const shape = `${box.hidden}/${task}/${metrics?.test?.confusion?.length}`;
  if (box.dataset.shape !== shape) {
    box.dataset.shape = shape;
    requestAnimationFrame(relayout);
  }
  if (box.hidden) return;
  const table = el("table", undefined, box, "metric-table");
  const head = el("tr", undefined, table);
  el("th", "", head);
  el("th", _("Test"), head);
  el("th", _("Training"), head);
  if (task === "regression") {
    row(table, "R²", "r2", metrics);
    row(table, "RMSE", "rmse", metrics);
  } else {
    row(table, _("Accuracy"), "accuracy", metrics);
    if (Array.isArray(metrics.test.confusion)) confusion(box, metrics.test.confusion);
    const details = box.querySelector("details");
    if (details) {
      details.open = open;
      details.addEventListener("toggle", () => requestAnimationFrame(relayout));
    }
  }
}
