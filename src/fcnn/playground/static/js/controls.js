// The config controls: the CONTROLS table (every control of the page, listed once),
// building them from the server's options, showing the config the server echoes
// (renderControls) and sending what the user set (bindControl); and the play button,
// which shows whether training runs.

import { $, app, sendConfig } from "./page.js";
import { showError } from "./messages.js";
import { buildDatasetGrid, drawThumbnails } from "./datasets.js";
import { label } from "./options.js";
import { renderPageOptions } from "./views.js";
import { _, format } from "./i18n.js";

// Every config control of the page, listed once: its element id, the config key it
// sets and its kind. "select": a choice from the server's list; "preset": a select of
// the server's preset values (plus the current one); "number": a typed number;
// "slider": a range input with its value shown in `${id}-value`; "check": a checkbox.
const percent = (v) => `${v}%`;
const CONTROLS = [
  { id: "activation-select", key: "activation", kind: "select" },
  { id: "regularization-select", key: "regularization", kind: "select" },
  { id: "optimizer-select", key: "optimizer", kind: "select" },
  { id: "loss-select", key: "loss", kind: "select" },
  { id: "init-select", key: "init", kind: "select" },
  { id: "init-scale-select", key: "init_scale", kind: "preset" },
  { id: "lr-select", key: "lr", kind: "preset" },
  { id: "reg-rate-select", key: "reg_rate", kind: "preset" },
  { id: "lr-input", key: "lr", kind: "number" },
  { id: "momentum-input", key: "momentum", kind: "number" },
  { id: "beta1-input", key: "beta1", kind: "number" },
  { id: "beta2-input", key: "beta2", kind: "number" },
  { id: "dropout-input", key: "dropout", kind: "number" },
  { id: "max-norm-select", key: "max_norm", kind: "preset" },
  { id: "seed-input", key: "seed", kind: "number", integer: true },
  { id: "stop-epoch-input", key: "stop_epoch", kind: "number", integer: true },
  { id: "stop-loss-input", key: "stop_test_loss", kind: "number" },
  { id: "batchnorm-check", key: "batchnorm", kind: "check" },
  { id: "train-ratio", key: "train_ratio", kind: "slider", format: percent },
  { id: "noise", key: "noise", kind: "slider" },
  { id: "batch-size", key: "batch_size", kind: "slider" },
  { id: "classes", key: "classes", kind: "slider" },
  { id: "n-points", key: "n_points", kind: "slider" },
];
// The element whose min / max / step come from the server's range for the key.
const rangeInput = (c) => $(c.kind === "slider" ? `${c.id}-range` : c.id);

// ---- built from the server's options --------------------------------------------
function fillSelect(select, values, labeler = label) {
  const current = select.value;
  select.textContent = "";
  for (const v of values) {
    const o = document.createElement("option");
    o.value = String(v);
    o.textContent = labeler(v);
    select.appendChild(o);
  }
  if (values.map(String).includes(current)) select.value = current;
}

export function buildControls() {
  const o = app.options;
  for (const c of CONTROLS) {
    if (c.kind === "select") fillSelect($(c.id), o.choices[c.key] ?? []);
    if (c.kind !== "number" && c.kind !== "slider") continue;
    const r = o.range[c.key];
    if (!r) continue;
    const input = rangeInput(c);
    input.min = String(r[0]);
    input.max = String(r[1]);
    if (o.step[c.key]) input.step = String(o.step[c.key]);
    else if (o.keys[c.key]?.kind === "int") input.step = "1";
  }
  const presets = $("dropout-presets");
  presets.textContent = "";
  for (const v of o.presets.dropout ?? []) {
    const opt = document.createElement("option");
    opt.value = String(v);
    presets.appendChild(opt);
  }
  // The points slider moves in fifties unless the server says otherwise.
  if (!o.step.n_points) $("n-points-range").step = "50";
  buildDatasetGrid();
}

// ---- showing the config in force ------------------------------------------------
// The data sets that take a class count, and those that are regression problems.
function multiclassSets() {
  return app.options?.multiclass ?? [];
}

function regressionSets() {
  return app.options?.regression ?? [];
}

export function renderControls() {
  const c = app.config;
  const o = app.options;
  if (!c || !o) return;
  for (const control of CONTROLS) renderControl(control, c[control.key]);
  $("reg-rate-select").disabled = c.regularization === "none";
  renderLoss();
  // Show the knobs the chosen optimiser uses: momentum for SGD + momentum, β₁ and β₂
  // for Adam (plain SGD and RMSprop take only the learning rate).
  const uses = { momentum: ["momentum"], adam: ["beta1", "beta2"] }[c.optimizer] ?? [];
  for (const k of ["momentum", "beta1", "beta2"]) {
    document.querySelector(`[data-for="${k}"]`).hidden = !uses.includes(k);
  }
  const multi = multiclassSets().includes(c.dataset);
  $("classes-range").disabled = !multi;
  $("classes-slider").classList.toggle("disabled", !multi);
  $("classes-slider").title = multi ? "" : _("Only the spiral and blobs data sets take a class count");
  for (const b of document.querySelectorAll("#dataset-grid .dataset")) {
    const on = b.dataset.dataset === c.dataset;
    b.classList.toggle("selected", on);
    b.setAttribute("aria-checked", on ? "true" : "false");
  }
  drawThumbnails(c.classes);
  const k = app.network?.task === "classification" ? Math.max(2, app.network.classes) : null;
  const classes = multi && k ? format(_("{k} classes"), { k }) : "";
  $("dataset-name").textContent = label(c.dataset) + (classes ? " · " + classes : "");
  renderPageOptions();
  renderProblemType();
}

// One control shows the server's value for its key.
function renderControl(control, value) {
  const { id, key, kind } = control;
  if (kind === "select") setSelect(id, value);
  else if (kind === "number") setNumber(id, value);
  else if (kind === "slider") setSlider(id, value, control.format);
  else if (kind === "check") $(id).checked = !!value;
  else if (kind === "preset") {
    // The steps the server allows, plus the current value if it is off-grid.
    const values = [...(app.options.presets[key] ?? [])];
    if (!values.includes(value)) values.push(value);
    values.sort((a, b) => a - b);
    fillSelect($(id), values, (v) => String(v));
    $(id).value = String(value);
  }
}

function setSelect(id, value) {
  const s = $(id);
  if (![...s.options].some((o) => o.value === String(value))) {
    const o = document.createElement("option");
    o.value = String(value);
    o.textContent = label(value);
    s.appendChild(o);
  }
  s.value = String(value);
}

function setNumber(id, value) {
  const i = $(id);
  if (document.activeElement !== i) i.value = String(value);
}

function setSlider(name, value, fmt = String) {
  const r = $(`${name}-range`);
  if (document.activeElement !== r || !r.matches(":active")) r.value = String(value);
  const out = $(`${name}-value`);
  if (out) out.textContent = fmt(value);
}

// The loss select shows the loss in force (the network's): a regression always trains
// on mean squared error, so there it shows that and is locked.
function renderLoss() {
  const n = app.network;
  const fixed = n?.task === "regression";
  const s = $("loss-select");
  if (n?.loss) setSelect("loss-select", fixed ? n.loss : app.config.loss);
  s.disabled = fixed;
  s.title = fixed ? _("A regression always trains on mean squared error") : "";
}

function renderProblemType() {
  const n = app.network;
  let text;
  if (n) {
    text = n.task === "regression" ? _("Regression") : _("Classification");
  } else if (app.config) {
    text = regressionSets().includes(app.config.dataset) ? _("Regression") : _("Classification");
  }
  if (text) $("problem-type").textContent = text;
}

// ---- sending what the user set --------------------------------------------------
export function bindControls() {
  for (const control of CONTROLS) bindControl(control);
}

// A control → the server: each kind sends its value as the config key's type.
function bindControl(control) {
  const { id, key, kind } = control;
  if (kind === "select") {
    $(id).addEventListener("change", (e) => sendConfig({ [key]: e.target.value }));
  } else if (kind === "preset") {
    $(id).addEventListener("change", (e) => sendConfig({ [key]: Number(e.target.value) }));
  } else if (kind === "check") {
    $(id).addEventListener("change", (e) => sendConfig({ [key]: e.target.checked }));
  } else if (kind === "slider") {
    const r = $(`${id}-range`);
    const format = control.format ?? String;
    r.addEventListener("input", () => {
      const out = $(`${id}-value`);
      if (out) out.textContent = format(Number(r.value));
    });
    r.addEventListener("change", () => sendConfig({ [key]: Number(r.value) }));
  } else if (kind === "number") {
    const input = $(id);
    const commit = () => {
      const v = Number(input.value);
      if (input.value.trim() === "" || !Number.isFinite(v)) {
        const name = input.closest("label")?.querySelector("span")?.textContent ?? key;
        showError(format(_("{name} must be a number."), { name }), key);
        renderControls();
        return;
      }
      if (v !== app.config?.[key]) sendConfig({ [key]: control.integer ? Math.round(v) : v });
    };
    input.addEventListener("change", commit);
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") input.blur();
    });
  }
}

// ---- the play button ------------------------------------------------------------
export function setRunning(r) {
  app.running = r;
  const b = $("play-button");
  b.classList.toggle("playing", r);
  b.setAttribute("aria-pressed", r ? "true" : "false");
  b.setAttribute("aria-label", r ? _("Pause") : _("Run"));
  b.querySelector(".icon").className = `icon ${r ? "icon-pause" : "icon-play"}`;
  document.body.dataset.running = r ? "true" : "false";
}
