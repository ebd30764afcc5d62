// The page's language (English or Chinese) and its strings. Every sentence is written in
// English in the code, as `_("English")`, and looked up in the server's "playground"
// catalog (GET api/catalog/<lang>.json, the same .po/.mo files the Python side reads), so
// there is one source of truth. Templates have named fields, `format(_("{n} classes"),
// {n: 3})`: numbers are formatted by the code before they go in, identically in both
// languages. index.html's static text is marked `data-i18n` (the element's text is the
// English message) or `data-i18n-attr="title,aria-label"` (those attributes are);
// tools/catalogs.py extracts both. The language is the URL's `lang=`, else the browser's
// (navigator.languages: zh* → Chinese), else English; `ready` resolves once the catalog
// of that language is loaded (main.js awaits it before the first render).

export const LANGUAGES = ["en", "zh"];

let lang = "en";
let table = {};
const listeners = [];

// The translation of `message` in the current language (the English itself if none).
export function _(message) {
  return table[message] || message;
}

// Marks a message for extraction where it is written (a table built when the module
// loads); `_(…)` translates it where it is shown.
export function N_(message) {
  return message;
}

// `"{n} classes"` with {n: 3} → "3 classes"; an unknown field is left as written.
export function format(template, fields) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in fields ? String(fields[key]) : whole));
}

export function language() {
  return lang;
}

// "zh-CN", "zh_TW", "zh" → "zh"; "en-GB" → "en"; anything else → null.
export function parseLanguage(value) {
  const code = String(value ?? "").split(/[-_.@]/)[0].toLowerCase();
  return LANGUAGES.includes(code) ? code : null;
}

// What the browser asks for: the first of navigator.languages fcnn speaks.
export function browserLanguage() {
  for (const l of window.navigator.languages ?? [window.navigator.language]) {
    const code = parseLanguage(l);
    if (code) return code;
  }
  return "en";
}

// The URL's `lang=` (in the fragment, with the rest of the page's state; or in the query,
// `/?lang=zh`, a link to give a class) or the browser's.
function initialLanguage() {
  const m = /(?:^#|&)lang=([^&]*)/.exec(location.hash);
  const asked = m ? decodeURIComponent(m[1]) : new URL(location.href).searchParams.get("lang");
  return parseLanguage(asked) || browserLanguage();
}

async function load(code) {
  if (code === "en") return {};
  const url = new URL(`api/catalog/${code}.json`, location.href.replace(/#.*$/, ""));
  const res = await fetch(url.pathname);
  if (!res.ok) throw new Error(`catalog ${code}: HTTP ${res.status}`);
  return res.json();
}

// `fn(lang)` runs after every change of language (the views redraw their text).
export function onLanguage(fn) {
  listeners.push(fn);
}

// Speak `code` from now on: load its catalog, retranslate the page, tell the listeners.
export async function setLanguage(code) {
  const chosen = parseLanguage(code) ?? "en";
  let loaded;
  try {
    loaded = await load(chosen);
  } catch (err) {
    console.warn(`fcnn: ${err.message}; the page stays in English`);
    return;
  }
  lang = chosen;
  table = loaded;
  document.documentElement.lang = chosen === "zh" ? "zh-CN" : "en";
  translatePage();
  for (const fn of listeners) fn(lang);
}

// The English an element was written with, kept the first time it is translated.
const originals = new WeakMap();

function english(el) {
  if (!originals.has(el)) {
    const attrs = {};
    for (const a of (el.dataset.i18nAttr ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
      attrs[a] = el.getAttribute(a) ?? "";
    }
    const text = el.hasAttribute("data-i18n") ? el.textContent.replace(/\s+/g, " ").trim() : null;
    originals.set(el, { text, attrs });
  }
  return originals.get(el);
}

// Every data-i18n / data-i18n-attr element under `root`, in the current language.
export function translatePage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n], [data-i18n-attr]")) {
    const { text, attrs } = english(el);
    if (text !== null) el.textContent = _(text);
    for (const [a, value] of Object.entries(attrs)) el.setAttribute(a, _(value));
  }
}

export const ready = setLanguage(initialLanguage());
