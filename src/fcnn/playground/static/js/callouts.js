// The callouts: short explanations beside the parts of the page they explain, as in the
// TensorFlow Playground ("This is the output from one neuron. Hover to see it larger.").
// Each sits in the page's flow next to its part (so it never covers a control), has a
// close button, and stays closed: the closed ones are remembered in window.localStorage. The
// lesson menu's "Show the tips again" brings them all back.

import { $ } from "./page.js";
import { _, N_, onLanguage } from "./i18n.js";
import { relayout } from "./views.js";

const STORE = "fcnn.playground.callouts.closed";

// name, the element it goes before or after, and its text.
const CALLOUTS = [
  {
    name: "data",
    after: "data-actions",
    text: N_("Each point has two coordinates, x1 and x2. The noise slider blurs the classes; the test points are kept apart to measure what the network has really learned."),
  },
  {
    name: "neuron",
    before: "network",
    arrow: "down",
    text: N_("This is the output from one neuron. Hover to see it larger."),
  },
  {
    name: "weights",
    before: "network",
    arrow: "down",
    text: N_("The outputs are mixed with varying weights, shown by the thickness of the lines. Click a line to edit its weight."),
  },
  {
    // In the data column: under the map it would take the map's room (views.relayout).
    name: "colors",
    after: "data-actions",
    text: N_("Colours show data, neuron and weight values: orange is negative, blue is positive. The background is what the network predicts at each point."),
  },
];

function closed() {
  try {
    return new Set(JSON.parse(window.localStorage.getItem(STORE) ?? "[]"));
  } catch {
    return new Set();
  }
}

function remember(names) {
  try {
    window.localStorage.setItem(STORE, JSON.stringify([...names]));
  } catch {
    // private mode or no storage: the callout is closed for this page only
  }
}

function place(box, c) {
  const anchor = $(c.before ?? c.after) ?? document.querySelector(`.${c.before ?? c.after}`);
  if (!anchor) return false;
  if (c.before) anchor.before(box);
  else (document.querySelector(`[data-callout-after="${c.after}"]`) ?? anchor).after(box);
  box.dataset.calloutAfter = c.after;
  return true;
}

function build(c) {
  const box = document.createElement("div");
  box.className = `callout callout-${c.name}` + (c.arrow ? ` arrow-${c.arrow}` : "");
  box.dataset.testid = `callout-${c.name}`;
  box.dataset.callout = c.name;
  box.setAttribute("role", "note");
  const text = document.createElement("span");
  text.className = "callout-text";
  const x = document.createElement("button");
  x.type = "button";
  x.className = "callout-close";
  x.dataset.testid = `callout-close-${c.name}`;
  x.innerHTML = '<span class="icon icon-close"></span>';
  x.addEventListener("click", () => {
    const names = closed();
    names.add(c.name);
    remember(names);
    box.remove();
    requestAnimationFrame(relayout);
  });
  box.append(text, x);
  return box;
}

// The network's two callouts share a row above it.
function row() {
  let r = document.querySelector(".callout-row");
  if (!r) {
    r = document.createElement("div");
    r.className = "callout-row";
    $("network").before(r);
  }
  return r;
}

function translate() {
  for (const box of document.querySelectorAll(".callout")) {
    const c = CALLOUTS.find((k) => k.name === box.dataset.callout);
    box.querySelector(".callout-text").textContent = _(c.text);
    box.querySelector(".callout-close").setAttribute("aria-label", _("Close this tip"));
  }
}

function showCallouts() {
  const shut = closed();
  for (const c of CALLOUTS) {
    if (shut.has(c.name) || document.querySelector(`[data-callout="${c.name}"]`)) continue;
    const box = build(c);
    if (c.before === "network") row().appendChild(box);
    else place(box, c);
  }
  translate();
  requestAnimationFrame(relayout);
}

export function showAllCallouts() {
  remember(new Set());
  showCallouts();
}

export function bindCallouts() {
  showCallouts();
  onLanguage(translate);
}
