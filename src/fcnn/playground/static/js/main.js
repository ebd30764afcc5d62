// The playground page: wires the controls to the server (docs/playground-protocol.md).
// The page draws what the server sends and sends what the user did; the config the
// server echoes is the only source of truth for what the controls show.

import { Connection } from "./connection.js";
import { classColor, rgb } from "./colors.js";
import { drawThumbnail, OutputMap } from "./heatmap.js";
import { LossChart } from "./losschart.js";
import { NetworkView } from "./network.js";
import { label, normalizeOptions } from "./options.js";
import { encodeFragment, PAGE_KEYS, parseFragment } from "./urlstate.js";

const $ = (id) => document.getElementById(id);

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
  { id: "lr-select", key: "lr", kind: "preset" },
  { id: "reg-rate-select", key: "reg_rate", kind: "preset" },
  { id: "lr-input", key: "lr", kind: "number" },
  { id: "momentum-input", key: "momentum", kind: "number" },
  { id: "beta1-input", key: "beta1", kind: "number" },
  { id: "beta2-input", key: "beta2", kind: "number" },
  { id: "dropout-input", key: "dropout", kind: "number" },
  { id: "seed-input", key: "seed", kind: "number", integer: true },
  { id: "batchnorm-check", key: "batchnorm", kind: "check" },
  { id: "train-ratio", key: "train_ratio", kind: "slider", format: percent },
  { id: "noise", key: "noise", kind: "slider" },
  { id: "batch-size", key: "batch_size", kind: "slider" },
  { id: "classes", key: "classes", kind: "slider" },
  { id: "n-points", key: "n_points", kind: "slider" },
];
// The element whose min / max / step come from the server's range for the key.
const rangeInput = (c) => $(c.kind === "slider" ? `${c.id}-range` : c.id);

const app = {
  session: null,
  options: null,
  defaults: null,
  config: null,
  network: null,
  data: null,
  state: null,
  running: false,
  page: { ...PAGE_KEYS },
  pendingInitial: null, // the URL's config while the server has not yet answered it
  retries: 0,
  fences: 0, // pings sent after the URL's config; its answer has come when all are ponged
};

// ---- errors -------------------------------------------------------------------
function showError(message, field = null) {
  const box = $("messages");
  const text = String(message || "Something went wrong.");
  for (const m of box.querySelectorAll(".message")) {
    if (m.dataset.text === text) {
      const n = Number(m.dataset.count || 1) + 1;
      m.dataset.count = n;
      m.querySelector(".count").textContent = `×${n}`;
      return;
    }
  }
  const m = document.createElement("div");
  m.className = "message error";
  m.setAttribute("role", "alert");
  m.setAttribute("data-testid", "error-message");
  m.dataset.text = text;
  if (field) m.dataset.field = field;
  const t = document.createElement("span");
  t.className = "text";
  t.textContent = text;
  const c = document.createElement("span");
  c.className = "count";
  const x = document.createElement("button");
  x.type = "button";
  x.className = "close";
  x.setAttribute("aria-label", "Dismiss");
  x.setAttribute("data-testid", "error-close");
  x.innerHTML = '<span class="icon icon-close"></span>';
  x.addEventListener("click", () => m.remove());
  m.append(t, c, x);
  box.appendChild(m);
  while (box.children.length > 4) box.firstElementChild.remove();
}

// ---- connection -----------------------------------------------------------------
function wsUrl() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const base = location.pathname.replace(/[^/]*$/, "");
  return `${proto}//${location.host}${base}ws`;
}

function apiUrl(path) {
  return new URL(path, location.href.replace(/#.*$/, "")).pathname;
}

let conn = null; // opened at the end of this module, once every view exists

function onStatus(s) {
  const c = $("connection");
  c.dataset.state = s;
  const words = { open: "connected", connecting: "connecting…", closed: "lost, retrying" };
  c.title = `Connection to the fcnn server: ${words[s] ?? s}`;
  if (s === "closed") setRunning(false);
}

function send(msg) {
  conn.send(msg);
}

// Resolves once the server has answered everything sent before it (a ping's pong comes
// after the answers to the earlier frames). Pongs are matched in order.
const syncs = [];
function sync() {
  return new Promise((resolve) => {
    syncs.push(resolve);
    send({ type: "ping" });
  });
}

// Sends a (partial) config. The page assumes it will be accepted until the server says
// (its `config` echo or an `error`), so quick successive clicks build on each other.
function sendConfig(partial) {
  send({ type: "config", config: partial });
  if (app.config) app.config = { ...app.config, ...partial };
}

// ---- messages from the server ---------------------------------------------------
let frame = 0;
function scheduleDraw() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    drawState();
  });
}

function handle(msg) {
  switch (msg.type) {
    case "hello":
      onHello(msg);
      break;
    case "config":
      onConfig(msg.config);
      break;
    case "network":
      app.network = msg;
      lossChart.clear();
      netView.setNetwork(msg);
      outputMap.task = msg.task;
      outputMap.classes = msg.classes;
      renderControls();
      renderLegend();
      requestAnimationFrame(relayout);
      break;
    case "data":
      app.data = msg;
      lossChart.clear();
      outputMap.data = msg;
      netView.setDomain(msg.domain);
      outputMap.draw();
      renderLegend();
      break;
    case "state":
      onState(msg);
      break;
    case "error":
      onError(msg);
      break;
    case "pong":
      if (app.fences > 0 && --app.fences === 0 && app.pendingInitial) {
        app.pendingInitial = null;
        writeFragment();
      }
      syncs.shift()?.();
      break;
    default:
      break;
  }
}

function onHello(msg) {
  app.session = msg.session;
  document.body.dataset.session = msg.session;
  app.options = normalizeOptions(msg.options);
  app.defaults = msg.config;
  app.config = msg.config;
  app.server = msg.config;
  buildControls();
  netView.setOptions(app.options);
  updateLinks();
  // The URL wins over the defaults: send it as one config.
  const { config, page, unknown } = parseFragment(location.hash, app.defaults);
  Object.assign(app.page, page);
  if (unknown.length) showError(`The link has settings this server does not know: ${unknown.join(", ")}`);
  app.fences = 0;
  app.pendingInitial = null;
  for (const resolve of syncs.splice(0)) resolve(); // the old socket's pongs never come
  if (Object.keys(config).length) {
    app.pendingInitial = config;
    app.retries = 0;
    sendInitial();
  }
  onConfig(msg.config);
}

// The URL's config, then a ping: the server answers frames in order, so its `pong`
// says the config was answered (applied, or refused with an `error`).
function sendInitial() {
  sendConfig(app.pendingInitial);
  app.fences += 1;
  sync();
}

function onConfig(config) {
  app.server = config;
  app.config = config;
  renderControls();
  netView.setConfig(config);
  if (!app.pendingInitial) writeFragment();
}

function onState(msg) {
  app.state = msg;
  window.__fcnnLastState = msg;
  if (typeof msg.running === "boolean") setRunning(msg.running);
  if (Number.isFinite(msg.train_loss) || Number.isFinite(msg.test_loss)) {
    lossChart.add(msg.epoch, msg.train_loss, msg.test_loss);
  }
  scheduleDraw();
}

function onError(msg) {
  if (app.pendingInitial && msg.field && msg.field in app.pendingInitial && app.retries < 8) {
    // A shared link with one bad setting: keep the rest of it.
    showError(`Ignored "${msg.field}" from the link: ${msg.message}`, msg.field);
    delete app.pendingInitial[msg.field];
    app.retries += 1;
    if (Object.keys(app.pendingInitial).length) sendInitial();
    else {
      app.pendingInitial = null;
      writeFragment();
    }
    return;
  }
  showError(msg.message, msg.field);
  if (app.server) app.config = app.server;
  renderControls(); // put any control the user moved back to the server's value
}

function drawState() {
  const s = app.state;
  if (!s) return;
  $("epoch").textContent = formatEpoch(s.epoch);
  document.body.dataset.epoch = s.epoch;
  $("train-loss").textContent = fmtLoss(s.train_loss);
  $("test-loss").textContent = fmtLoss(s.test_loss);
  outputMap.state = s;
  outputMap.draw();
  netView.update(s);
  showDiagnostics(s.diagnostics ?? []);
}

// The diagnostics box takes room from the network, so it stays a few seconds after its
// last message rather than flickering (and re-laying the network out) every epoch.
let diagTimer = 0;
function showDiagnostics(list) {
  const diag = $("diagnostics");
  if (list.length === 0) {
    if (!diag.hidden && !diagTimer) {
      diagTimer = setTimeout(() => {
        diag.hidden = true;
        diagTimer = 0;
      }, 3000);
    }
    return;
  }
  clearTimeout(diagTimer);
  diagTimer = 0;
  const text = list.slice(0, 3).join("\n");
  if (diag.dataset.text === text && !diag.hidden) return;
  diag.dataset.text = text;
  diag.textContent = "";
  for (const line of list.slice(0, 3)) {
    const p = document.createElement("p");
    p.textContent = line;
    diag.appendChild(p);
  }
  diag.hidden = false;
}

function formatEpoch(e) {
  const n = Number.isFinite(e) ? Math.max(0, Math.floor(e)) : 0;
  return String(n).padStart(6, "0").replace(/(\d{3})$/, ",$1");
}

function fmtLoss(v) {
  if (!Number.isFinite(v)) return "–";
  return v !== 0 && Math.abs(v) < 0.001 ? v.toExponential(1) : v.toFixed(3);
}

function setRunning(r) {
  app.running = r;
  const b = $("play-button");
  b.classList.toggle("playing", r);
  b.setAttribute("aria-pressed", r ? "true" : "false");
  b.setAttribute("aria-label", r ? "Pause" : "Run");
  b.querySelector(".icon").className = `icon ${r ? "icon-pause" : "icon-play"}`;
  document.body.dataset.running = r ? "true" : "false";
}

// ---- URL ----------------------------------------------------------------------
function writeFragment() {
  if (!app.config) return;
  const frag = encodeFragment(app.config, app.page);
  if (location.hash.slice(1) !== frag) history.replaceState(null, "", `#${frag}`);
}

window.addEventListener("hashchange", () => {
  if (!app.defaults) return;
  const { config, page } = parseFragment(location.hash, app.defaults);
  Object.assign(app.page, page);
  renderPageOptions();
  const diff = {};
  for (const [k, v] of Object.entries(config)) {
    if (JSON.stringify(v) !== JSON.stringify(app.config?.[k])) diff[k] = v;
  }
  if (Object.keys(diff).length) sendConfig(diff);
});

function updateLinks() {
  const sid = encodeURIComponent(app.session);
  $("download-model").href = apiUrl(`api/session/${sid}/model.safetensors`);
  $("download-snippet").href = apiUrl(`api/session/${sid}/model.py`);
  $("download-data").href = apiUrl(`api/session/${sid}/data.csv`);
}

// ---- controls -----------------------------------------------------------------
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

function multiclassSets() {
  return app.options?.multiclass ?? [];
}

function regressionSets() {
  return app.options?.regression ?? [];
}

function buildControls() {
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

function buildDatasetGrid() {
  const grid = $("dataset-grid");
  grid.textContent = "";
  for (const name of app.options.dataset) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "dataset";
    b.dataset.dataset = name;
    b.setAttribute("data-testid", `dataset-${name}`);
    b.id = `dataset-${name}`;
    b.setAttribute("role", "radio");
    b.title = label(name);
    b.setAttribute("aria-label", label(name));
    if (name === "upload") {
      const i = document.createElement("span");
      i.className = "icon icon-upload";
      b.appendChild(i);
      b.classList.add("upload");
    } else {
      const c = document.createElement("canvas");
      b.appendChild(c);
    }
    const cap = document.createElement("span");
    cap.className = "caption";
    cap.textContent = shortName(name);
    b.appendChild(cap);
    b.addEventListener("click", () => {
      if (name === "upload") $("upload-input").click();
      else if (app.config?.dataset !== name) sendConfig({ dataset: name });
    });
    grid.appendChild(b);
  }
  thumbnails.shown = null; // new canvases: draw them
  if (app.config) requestAnimationFrame(() => drawThumbnails(app.config.classes));
}

// The data-set buttons show the server's own sample of each set (GET /api/thumbnails),
// fetched once per class count (blobs and spiral change with it).
const thumbnails = { cache: new Map(), shown: null, drawn: null };
async function drawThumbnails(classes) {
  if (thumbnails.shown === classes) return;
  thumbnails.shown = classes;
  let sample = thumbnails.cache.get(classes);
  if (!sample) {
    try {
      const res = await fetch(`${apiUrl("api/thumbnails")}?classes=${encodeURIComponent(classes)}`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      sample = await res.json();
    } catch {
      thumbnails.shown = null; // try again on the next render
      return;
    }
    thumbnails.cache.set(classes, sample);
  }
  if (thumbnails.shown !== classes) return; // the class count changed meanwhile
  for (const c of $("dataset-grid").querySelectorAll("canvas")) {
    drawThumbnail(c, sample.datasets?.[c.parentElement.dataset.dataset], sample.domain);
  }
  thumbnails.drawn = sample;
}

function shortName(name) {
  return name.replace(/_/g, "-");
}

function renderControls() {
  const c = app.config;
  const o = app.options;
  if (!c || !o) return;
  for (const control of CONTROLS) renderControl(control, c[control.key]);
  $("reg-rate-select").disabled = c.regularization === "none";
  // Show the knobs the chosen optimiser uses: momentum for SGD + momentum, β₁ and β₂
  // for Adam (plain SGD and RMSprop take only the learning rate).
  const uses = { momentum: ["momentum"], adam: ["beta1", "beta2"] }[c.optimizer] ?? [];
  for (const k of ["momentum", "beta1", "beta2"]) {
    document.querySelector(`[data-for="${k}"]`).hidden = !uses.includes(k);
  }
  const multi = multiclassSets().includes(c.dataset);
  $("classes-range").disabled = !multi;
  $("classes-slider").classList.toggle("disabled", !multi);
  $("classes-slider").title = multi ? "" : "Only the spiral and blobs data sets take a class count";
  for (const b of document.querySelectorAll("#dataset-grid .dataset")) {
    const on = b.dataset.dataset === c.dataset;
    b.classList.toggle("selected", on);
    b.setAttribute("aria-checked", on ? "true" : "false");
  }
  drawThumbnails(c.classes);
  const k = app.network?.task === "classification" ? Math.max(2, app.network.classes) : null;
  $("dataset-name").textContent = label(c.dataset) + (multi && k ? ` · ${k} classes` : "");
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

function renderPageOptions() {
  $("show-test-check").checked = !!app.page.show_test;
  $("discretize-check").checked = !!app.page.discretize;
  outputMap.showTest = !!app.page.show_test;
  outputMap.discretize = !!app.page.discretize;
  outputMap.draw();
}

function renderProblemType() {
  const n = app.network;
  let text;
  if (n) {
    text = n.task === "regression" ? "Regression" : "Classification";
  } else if (app.config) {
    text = regressionSets().includes(app.config.dataset) ? "Regression" : "Classification";
  }
  if (text) $("problem-type").textContent = text;
}

function renderLegend() {
  const lg = $("legend");
  lg.textContent = "";
  const n = app.network;
  if (!n) return;
  if (n.task !== "regression" && n.classes > 2) {
    lg.className = "legend classes";
    for (let k = 0; k < n.classes; k++) {
      const s = document.createElement("span");
      s.className = "legend-class";
      s.innerHTML = `<i style="background:${rgb(classColor(k))}"></i>class ${k}`;
      lg.appendChild(s);
    }
    return;
  }
  lg.className = "legend";
  let lo = "−1";
  let hi = "1";
  if (n.task === "regression") {
    const m = outputMap.targetScale();
    lo = (-m).toPrecision(2);
    hi = m.toPrecision(2);
  }
  lg.innerHTML =
    `<div class="legend-bar" aria-hidden="true"></div>` +
    `<div class="legend-ticks"><span>${lo}</span><span>0</span><span>${hi}</span></div>` +
    (n.task === "regression"
      ? ""
      : `<div class="legend-ticks names"><span>class 0</span><span>class 1</span></div>`);
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

// Control → server.
function bind() {
  $("play-button").addEventListener("click", togglePlay);
  $("step-button").addEventListener("click", () => {
    setRunning(false);
    send({ type: "step" });
  });
  $("reset-button").addEventListener("click", () => {
    lossChart.clear();
    send({ type: "reset" });
  });
  $("regenerate-button").addEventListener("click", () => send({ type: "regenerate" }));
  for (const control of CONTROLS) bindControl(control);
  $("show-test-check").addEventListener("change", (e) => {
    app.page.show_test = e.target.checked;
    renderPageOptions();
    writeFragment();
  });
  $("discretize-check").addEventListener("change", (e) => {
    app.page.discretize = e.target.checked;
    renderPageOptions();
    writeFragment();
  });
  $("advanced-toggle").addEventListener("click", () => {
    const p = $("advanced-panel");
    p.hidden = !p.hidden;
    $("advanced-toggle").setAttribute("aria-expanded", p.hidden ? "false" : "true");
    $("advanced-toggle").textContent = p.hidden ? "Advanced ▾" : "Advanced ▴";
    requestAnimationFrame(relayout);
  });
  $("upload-input").addEventListener("change", uploadFile);
  document.addEventListener("keydown", (e) => {
    // Keys typed into a field, or space on a focused button (which clicks it), are theirs.
    if (e.target.closest?.("input, select, textarea, button, a, [contenteditable]")) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === " ") {
      e.preventDefault();
      togglePlay();
    } else if (e.key === "ArrowRight") {
      setRunning(false);
      send({ type: "step" });
    } else if (e.key === "r" || e.key === "R") {
      lossChart.clear();
      send({ type: "reset" });
    }
  });
  window.addEventListener("resize", relayout);
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
        showError(`${input.closest("label")?.querySelector("span")?.textContent ?? key} must be a number.`, key);
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

function togglePlay() {
  if (app.running) {
    send({ type: "pause" });
    setRunning(false);
  } else {
    send({ type: "play" });
    setRunning(true);
  }
}

async function uploadFile(e) {
  const file = e.target.files?.[0];
  e.target.value = "";
  if (!file || !app.session) return;
  const max = app.options?.maxUpload;
  if (typeof max === "number" && file.size > max) {
    showError(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the server takes at most ${(max / 1e6).toFixed(1)} MB.`);
    return;
  }
  try {
    const res = await fetch(apiUrl(`api/session/${encodeURIComponent(app.session)}/data`), {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: file,
    });
    if (!res.ok) {
      let text = `Upload failed (HTTP ${res.status}).`;
      try {
        const j = await res.json();
        if (j?.error) text = `Upload of ${file.name} failed: ${j.error}`;
      } catch {
        // not JSON: keep the status line
      }
      showError(text);
    }
  } catch (err) {
    showError(`Upload failed: ${err.message}`);
  }
}

// ---- views --------------------------------------------------------------------
const outputMap = new OutputMap($("output-map"));
const lossChart = new LossChart($("loss-chart"));
const netView = new NetworkView($("network"), $("link-card"), {
  toggleFeature(f) {
    const cur = app.config?.features ?? [];
    const on = cur.includes(f);
    const order = app.options?.features ?? [];
    let next = on ? cur.filter((x) => x !== f) : [...cur, f];
    next = next.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    sendConfig({ features: next });
  },
  setHidden(h) {
    sendConfig({ hidden: h });
  },
  currentConfig() {
    return app.config;
  },
  setWeight(msg) {
    send(msg);
  },
  hoverNeuron(preview, text) {
    outputMap.preview = preview;
    const l = $("preview-label");
    l.hidden = !preview;
    if (preview) l.textContent = `showing ${text}`;
    outputMap.draw();
  },
  error: showError,
});

// Reading the map: under the pointer, the point and what the network says there.
function bindMapReadout() {
  const map = $("output-map");
  const out = $("map-readout");
  map.addEventListener("mousemove", (e) => {
    const r = map.getBoundingClientRect();
    const p = outputMap.pointAt(e.clientX - r.left, e.clientY - r.top);
    const o = app.state?.output;
    if (!p || !o?.values?.length || outputMap.preview) {
      out.hidden = true;
      return;
    }
    const n = o.size;
    const i = Math.min(n - 1, Math.round(p.row * (n - 1))) * n + Math.min(n - 1, Math.round(p.col * (n - 1)));
    const v = o.values[i];
    let what;
    if (o.classes) what = `class ${o.classes[i]} (p = ${Number(v).toFixed(2)})`;
    else if (app.network?.task === "regression") what = `ŷ = ${Number(v).toFixed(3)}`;
    else if (app.config?.loss === "mse") what = `tanh score = ${Number(v).toFixed(2)} (class ${v > 0 ? 1 : 0})`;
    else what = `p(class 1) = ${((Number(v) + 1) / 2).toFixed(2)}`;
    out.textContent = `x₁ = ${p.x1.toFixed(2)}, x₂ = ${p.x2.toFixed(2)}: ${what}`;
    out.hidden = false;
  });
  map.addEventListener("mouseleave", () => {
    out.hidden = true;
  });
}

function relayout() {
  // The big map is square: as wide as its column, but no taller than the window leaves
  // under it once the controls below it have their room.
  const map = $("output-map");
  const col = map.closest(".column");
  map.style.width = "100%";
  const below = [...col.children]
    .filter((e) => e.compareDocumentPosition(map.parentElement) & Node.DOCUMENT_POSITION_PRECEDING)
    .reduce((h, e) => h + e.getBoundingClientRect().height, 0);
  const room = window.innerHeight - map.getBoundingClientRect().top - below - 40;
  const width = map.getBoundingClientRect().width;
  if (room > 200 && room < width) map.style.width = `${Math.floor(room)}px`;
  outputMap.resize();
  // Everything under the map lines up with its plot area (the canvas has axis margins).
  const box = outputMap.box;
  if (box) {
    col.style.setProperty("--plot-left", `${box.x0 / box.dpr}px`);
    col.style.setProperty("--plot-width", `${box.size / box.dpr}px`);
  }
  lossChart.resize();
  netView.render(false);
}

// For tests and the curious: the page's state, and a way to wait for the server.
window.__fcnn = {
  get app() {
    return app;
  },
  get thumbnails() {
    return thumbnails.drawn; // the server's sample the data-set buttons show
  },
  send,
  sync,
  showError,
};

bind();
bindMapReadout();
// The network redraws when its box changes size (window, advanced panel, diagnostics).
new ResizeObserver(() => netView.render(false)).observe($("network"));
conn = new Connection(wsUrl(), { onMessage: handle, onStatus });
requestAnimationFrame(relayout);
