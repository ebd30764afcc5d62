// The lesson panel: opens a lesson from its link (`#lesson=spiral`, the page-only key
// `lesson` in the URL), sends the setting it starts from, shows its steps (the current
// one with a hint) and says "Goal reached" once the server's `state` meets the last
// step (lesson-list.js holds the lessons). The "Lessons" button in the top bar lists
// them, each as a link. The panel sits in the page's flow, above the columns, so it never
// covers a control.

import { $, app, sendConfig, writeFragment } from "./page.js";
import { BASE, findLesson, LESSONS } from "./lesson-list.js";
import { readFragment } from "./urlstate.js";
import { _, format, onLanguage } from "./i18n.js";
import { showError } from "./messages.js";
import { relayout } from "./views.js";
import { showAllCallouts } from "./callouts.js";

// `waiting`: the lesson's setting is sent and not yet echoed; the states of the old
// setting do not count.
const lesson = { current: null, step: 0, menu: false, pending: null, waiting: false };

// Keys of a fragment that are not the config: a lesson link with only these starts the
// lesson from its own setting; a link with config keys too (a page reloaded mid-lesson,
// a shared link) keeps that setting.
const NOT_CONFIG = /^(lesson|lang|discretize|show_test|.*_hide)$/;

function el(tag, parent, { text, cls, testid } = {}) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  if (testid) e.dataset.testid = testid;
  parent?.appendChild(e);
  return e;
}

function button(parent, text, testid, onClick) {
  const b = el("button", parent, { text, cls: "text-button", testid });
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

export function openLesson(name, fresh) {
  const found = findLesson(name);
  if (!found) {
    showError(format(_("There is no lesson \"{name}\"."), { name }));
    closeLesson();
    return;
  }
  lesson.current = found;
  lesson.step = 0;
  lesson.menu = false;
  app.page.lesson = name;
  lesson.waiting = fresh;
  if (fresh) sendConfig({ ...BASE, ...found.start });
  else writeFragment();
  advance();
  render();
}

function closeLesson() {
  lesson.current = null;
  lesson.menu = false;
  app.page.lesson = "";
  writeFragment();
  render();
}

// Moves past every step the server's last state meets (a step, once done, stays done).
function advance() {
  const { current } = lesson;
  if (!current || !app.server || !app.state) return false;
  if (lesson.waiting) {
    const same = ([k, v]) => JSON.stringify(app.server[k]) === JSON.stringify(v);
    if (!Object.entries(current.start).every(same)) return false;
    lesson.waiting = false;
  }
  const before = lesson.step;
  while (lesson.step < current.steps.length && current.steps[lesson.step].done(app.server, app.state)) {
    lesson.step += 1;
  }
  return lesson.step !== before;
}

function renderMenu(panel) {
  el("h2", panel, { text: _("Lessons"), cls: "lesson-title" });
  el("p", panel, { text: _("Guided exercises: each sets up the playground, asks for a few steps and recognises when you reach the goal."), cls: "lesson-about" });
  const list = el("ul", panel, { cls: "lesson-menu" });
  for (const l of LESSONS) {
    const li = el("li", list);
    const a = el("a", li, { text: _(l.title), testid: `lesson-link-${l.name}` });
    a.href = `#lesson=${l.name}`;
    el("span", li, { text: _(l.about), cls: "lesson-menu-about" });
  }
  const bar = el("div", panel, { cls: "lesson-bar" });
  button(bar, _("Show the tips again"), "callouts-show", showAllCallouts);
  button(bar, _("Close"), "lesson-menu-close", () => {
    lesson.menu = false;
    render();
  });
}

function renderLesson(panel) {
  const { current, step } = lesson;
  const n = current.steps.length;
  const head = el("div", panel, { cls: "lesson-head" });
  el("h2", head, { text: format(_("Lesson: {title}"), { title: _(current.title) }), cls: "lesson-title", testid: "lesson-title" });
  const x = button(head, "", "lesson-close", closeLesson);
  x.classList.add("lesson-x");
  x.setAttribute("aria-label", _("Close the lesson"));
  x.innerHTML = '<span class="icon icon-close"></span>';
  el("p", panel, { text: _(current.about), cls: "lesson-about" });
  const ol = el("ol", panel, { cls: "lesson-steps" });
  current.steps.forEach((s, i) => {
    const li = el("li", ol, { text: _(s.text), testid: `lesson-step-${i + 1}` });
    li.className = i < step ? "done" : i === step ? "current" : "todo";
    if (i === step) {
      const hint = el("details", li, { cls: "lesson-hint" });
      el("summary", hint, { text: _("Hint") });
      el("p", hint, { text: _(s.hint) });
    }
  });
  const bar = el("div", panel, { cls: "lesson-bar" });
  const status = el("span", bar, { cls: "lesson-status", testid: step >= n ? "lesson-goal" : "lesson-progress" });
  status.textContent = step >= n ? _("Goal reached!") : format(_("Step {step} of {steps}"), { step: step + 1, steps: n });
  button(bar, _("Restart the lesson"), "lesson-restart", () => openLesson(current.name, true));
  button(bar, _("All lessons"), "lesson-all", () => {
    lesson.menu = true;
    render();
  });
}

function render() {
  const panel = $("lesson-panel");
  panel.textContent = "";
  const open = lesson.menu || lesson.current;
  panel.hidden = !open;
  panel.dataset.lesson = lesson.current?.name ?? "";
  panel.dataset.step = String(lesson.step);
  panel.classList.toggle("reached", !!lesson.current && lesson.step >= lesson.current.steps.length);
  $("lessons-toggle").setAttribute("aria-expanded", open ? "true" : "false");
  if (lesson.menu) renderMenu(panel);
  else if (lesson.current) renderLesson(panel);
  requestAnimationFrame(relayout);
}

// The lesson a fragment asks for, and whether it asks for the lesson's own setting.
function wanted(hash) {
  const raw = readFragment(hash);
  const name = raw.lesson ? decodeURIComponent(raw.lesson) : "";
  const fresh = Object.keys(raw).every((k) => NOT_CONFIG.test(k));
  return { name, fresh };
}

export function bindLessons() {
  $("lessons-toggle").addEventListener("click", () => {
    lesson.menu = !lesson.menu;
    render();
  });
  // The first state comes after the server has the URL's own config: the lesson's
  // setting goes after it.
  const first = wanted(location.hash);
  if (first.name) lesson.pending = first;
  document.addEventListener("fcnn:state", () => {
    if (lesson.pending) {
      const { name, fresh } = lesson.pending;
      lesson.pending = null;
      openLesson(name, fresh);
    } else if (advance()) {
      render();
    }
  });
  window.addEventListener("hashchange", () => {
    const { name, fresh } = wanted(location.hash);
    if (name && name !== lesson.current?.name) openLesson(name, fresh);
    else if (name && fresh) openLesson(name, true); // the same lesson's link again: restart
  });
  onLanguage(render);
  render();
}
