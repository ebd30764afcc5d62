// The messages from the server (docs/playground-protocol.md) and what the page does with
// each: `hello` builds the controls and sends the link's config, `config` is shown by
// every control, `network` / `data` / `state` go to the views, `error` to the messages
// box, `pong` answers sync(). The config the server echoes is the only source of truth
// for what the controls show.

import { $, apiUrl, app, resolveAllSyncs, resolveSync, send, sendConfig, sync, writeFragment } from "./page.js";
import { drawMetrics } from "./metrics.js";
import { showDiagnostics, showError } from "./messages.js";
import { buildControls, renderControls, setRunning } from "./controls.js";
import { lossChart, netView, outputMap, relayout, renderLegend } from "./views.js";
import { normalizeOptions } from "./options.js";
import { parseFragment } from "./urlstate.js";
import { _, format, language } from "./i18n.js";
import { onBackprop } from "./backprop.js";
import { drawnConfig, sendLinkDrawn } from "./draw.js";
import { onSurface, surfaceHello, surfaceNetwork } from "./surface.js";

// The connection's status dot; a lost connection means training has stopped. Once lost,
// a banner says so and the controls are inert until the socket is open again.
export function onStatus(s) {
  const c = $("connection");
  c.dataset.state = s;
  const words = { open: _("connected"), connecting: _("connecting…"), closed: _("lost, retrying") };
  c.title = format(_("Connection to the fcnn server: {status}"), { status: words[s] ?? s });
  if (s === "closed") setRunning(false);
  if (s === "closed" || s === "open") setOffline(s === "closed");
}

function setOffline(off) {
  $("offline-banner").hidden = !off;
  document.body.classList.toggle("offline", off);
  for (const e of document.querySelectorAll("header.topbar, #advanced-panel, main")) e.inert = off;
}

// States can come faster than the screen refreshes: draw the latest once per frame.
let frame = 0;
function scheduleDraw() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    drawState();
  });
}

export function handle(msg) {
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
      surfaceNetwork(msg);
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
    case "backprop":
      onBackprop(msg);
      break;
    case "surface":
      onSurface(msg);
      break;
    case "pong":
      if (app.fences > 0 && --app.fences === 0 && app.pendingInitial) {
        app.pendingInitial = null;
        writeFragment();
      }
      resolveSync();
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
  if (unknown.length) {
    showError(format(_("The link has settings this server does not know: {keys}"), { keys: unknown.join(", ") }));
  }
  app.fences = 0;
  app.pendingInitial = null;
  // The session speaks the page's language (its errors and diagnostics), from the start.
  send({ type: "language", lang: language() });
  resolveAllSyncs(); // the old socket's pongs never come
  sendLinkDrawn(page.drawn); // before the config, whose dataset=upload needs it
  surfaceHello();
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
  drawnConfig(config);
  if (!app.pendingInitial) writeFragment();
}

function onState(msg) {
  app.state = msg;
  window.__fcnnLastState = msg;
  // For the lessons and the stop notice: `wasRunning` is what the page believed before.
  document.dispatchEvent(new window.CustomEvent("fcnn:state", { detail: { state: msg, wasRunning: app.running } }));
  if (typeof msg.running === "boolean") setRunning(msg.running);
  if (Number.isFinite(msg.train_loss) || Number.isFinite(msg.test_loss)) {
    lossChart.add(msg.epoch, msg.train_loss, msg.test_loss);
  }
  scheduleDraw();
}

function onError(msg) {
  if (app.pendingInitial && msg.field && msg.field in app.pendingInitial && app.retries < 8) {
    // A shared link with one bad setting: keep the rest of it.
    showError(format(_("Ignored \"{key}\" from the link: {message}"), { key: msg.field, message: msg.message }), msg.field);
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
  drawMetrics($("metrics"), s.metrics, s.task, relayout);
  outputMap.state = s;
  outputMap.draw();
  netView.update(s);
  showDiagnostics(s.diagnostics ?? []);
}

function formatEpoch(e) {
  const n = Number.isFinite(e) ? Math.max(0, Math.floor(e)) : 0;
  return String(n).padStart(6, "0").replace(/(\d{3})$/, ",$1");
}

function fmtLoss(v) {
  if (!Number.isFinite(v)) return "–";
  return v !== 0 && Math.abs(v) < 0.001 ? v.toExponential(1) : v.toFixed(3);
}

// The download links fetch this session's model, snippet and data.
function updateLinks() {
  const sid = encodeURIComponent(app.session);
  $("download-model").href = apiUrl(`api/session/${sid}/model.safetensors`);
  $("download-snippet").href = apiUrl(`api/session/${sid}/model.py`);
  $("download-data").href = apiUrl(`api/session/${sid}/data.csv`);
}
