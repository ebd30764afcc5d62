// The playground page: wires the controls to the server (docs/playground-protocol.md).
// The page draws what the server sends and sends what the user did. This module starts
// the page: it binds the buttons, the keyboard, the page-only options and the address
// bar, then opens the connection. The parts: page.js (shared state and the server),
// protocol.js (the server's messages), controls.js and datasets.js (the controls),
// views.js (map, loss chart, network), messages.js (errors and diagnostics).

import { $, apiUrl, app, connect, send, sendConfig, sync, writeFragment } from "./page.js";
import { messageTiming, showError } from "./messages.js";
import { bindControls, buildControls, renderControls, setRunning } from "./controls.js";
import { thumbnails } from "./datasets.js";
import { handle, onStatus } from "./protocol.js";
import { bindMapReadout, lossChart, netView, relayout, renderLegend, renderPageOptions } from "./views.js";
import { parseFragment } from "./urlstate.js";
import { _, format, language, onLanguage, ready, setLanguage } from "./i18n.js";
import { bindBackprop } from "./backprop.js";
import { bindLessons } from "./lessons.js";
import { bindCallouts } from "./callouts.js";
import { bindStopNotice } from "./stopnotice.js";
import { bindDraw, forgetDrawn } from "./draw.js";
import { bindSurface } from "./surface.js";

// The address changed (edited, or a link followed within the page): its page options
// apply at once, its config keys that differ go to the server.
window.addEventListener("hashchange", () => {
  if (!app.defaults) return;
  const { config, page, lang } = parseFragment(location.hash, app.defaults);
  Object.assign(app.page, page);
  if (lang && lang !== language()) setLanguage(lang);
  renderPageOptions();
  const diff = {};
  for (const [k, v] of Object.entries(config)) {
    if (JSON.stringify(v) !== JSON.stringify(app.config?.[k])) diff[k] = v;
  }
  if (Object.keys(diff).length) sendConfig(diff);
});

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
  // Reset replays the seed (the same run again); this second, labelled button draws new
  // weights: a fresh init_seed, which the URL keeps so that a link reproduces them. A
  // button rather than shift+reset: a phone has no shift and a hidden gesture is found
  // by nobody in a lecture hall.
  renderNewWeightsButton();
  $("new-weights-button").addEventListener("click", newWeights);
  bindControls();
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
    renderAdvancedToggle();
    requestAnimationFrame(relayout);
  });
  $("upload-input").addEventListener("change", uploadFile);
  for (const b of document.querySelectorAll(".lang-button")) {
    b.addEventListener("click", () => setLanguage(b.dataset.lang));
  }
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
    } else if (e.key === "n" || e.key === "N") {
      newWeights();
    } else if (e.key === "r" || e.key === "R") {
      lossChart.clear();
      send({ type: "reset" });
    }
  });
  window.addEventListener("resize", relayout);
}

function renderAdvancedToggle() {
  const open = !$("advanced-panel").hidden;
  $("advanced-toggle").textContent = _("Advanced") + (open ? " ▴" : " ▾");
}

// A new language: every text the page wrote is written again (the numbers are not
// touched), the address keeps `lang=`, and the server is told, so that its messages
// (errors, the diagnostics under the network) come in that language too.
function renderLanguage(lang) {
  for (const b of document.querySelectorAll(".lang-button")) {
    b.setAttribute("aria-pressed", b.dataset.lang === lang ? "true" : "false");
  }
  renderAdvancedToggle();
  setRunning(app.running);
  onStatus($("connection").dataset.state);
  if (app.options) {
    buildControls();
    renderControls();
  }
  renderLegend();
  netView.render(true);
  lossChart.draw();
  writeFragment();
  renderNewWeightsButton();
  if (app.session) send({ type: "language", lang });
}

function renderNewWeightsButton() {
  const dice = $("new-weights-button");
  dice.title = _("New random weights: draw a new weight seed, kept in the link (N)");
  dice.setAttribute("aria-label", _("New random weights"));
}

function newWeights() {
  lossChart.clear();
  const max = app.options?.keys?.init_seed?.max ?? 2 ** 31 - 1;
  sendConfig({ init_seed: 1 + Math.floor(Math.random() * max) });
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
  forgetDrawn();
  const max = app.options?.maxUpload;
  if (typeof max === "number" && file.size > max) {
    const fields = { file: file.name, size: (file.size / 1e6).toFixed(1), max: (max / 1e6).toFixed(1) };
    showError(format(_("{file} is {size} MB; the server takes at most {max} MB."), fields));
    return;
  }
  try {
    const res = await fetch(apiUrl(`api/session/${encodeURIComponent(app.session)}/data`), {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: file,
    });
    if (!res.ok) {
      let text = format(_("Upload failed (HTTP {status})."), { status: res.status });
      try {
        const j = await res.json();
        if (j?.error) text = format(_("Upload of {file} failed: {error}"), { file: file.name, error: j.error });
      } catch {
        // not JSON: keep the status line
      }
      showError(text);
    }
  } catch (err) {
    showError(format(_("Upload failed: {error}"), { error: err.message }));
  }
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
  messageTiming,
};

// The catalog of the page's language first: the first render is already in it.
await ready;
bind();
renderLanguage(language());
onLanguage(renderLanguage);
bindBackprop();
bindMapReadout();
bindCallouts();
bindLessons();
bindStopNotice();
bindDraw();
bindSurface();
// The network redraws when its box changes size (window, advanced panel, diagnostics).
new ResizeObserver(() => netView.render(false)).observe($("network"));
connect({ onMessage: handle, onStatus });
requestAnimationFrame(relayout);
