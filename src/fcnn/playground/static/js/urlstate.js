// The page's whole state in the URL fragment: `#dataset=spiral&hidden=8,8,5&…` with the
// config keys plus the page-only `discretize`, `show_test` and `<control>_hide`
// (protocol) and the page's language `lang=en|zh` (read by i18n.js before anything
// else). Lists are comma-separated, booleans `true`/`false`; types come from the
// server's defaults. A
// TensorFlow Playground link is read through its keys (tflinks.js).

import { fromTfLink, isTfLink } from "./tflinks.js";
import { takeHides } from "./hide.js";

// `hide`: the controls a classroom link hides (`lr_hide=true`, hide.js); `lesson`: the
// lesson open (`lesson=spiral`, lessons.js), omitted when none; `drawn`: a drawn data set
// (drawlink.js), written only while it is the data in force.
export const PAGE_KEYS = { discretize: false, show_test: false, hide: [], lesson: "", drawn: "" };

function encodeValue(v) {
  if (Array.isArray(v)) return v.map((x) => encodeURIComponent(String(x))).join(",");
  return encodeURIComponent(String(v));
}

export function encodeFragment(config, page, lang = null) {
  const parts = [];
  for (const [k, v] of Object.entries(config ?? {})) {
    if (v === null || v === undefined || typeof v === "object" && !Array.isArray(v)) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeValue(v)}`);
  }
  for (const [k, v] of Object.entries(page ?? {})) {
    if (Array.isArray(v)) for (const name of v) parts.push(`${name}_${k}=true`);
    else if (typeof v === "string") parts.push(...(v ? [`${k}=${encodeURIComponent(v)}`] : []));
    else parts.push(`${k}=${v ? "true" : "false"}`);
  }
  if (lang) parts.push(`lang=${encodeURIComponent(lang)}`);
  return parts.join("&");
}

// Splits the fragment into raw strings: {key: "value"} (decoded per list element later).
export function readFragment(hash) {
  const text = (hash ?? "").replace(/^#/, "");
  const out = {};
  if (!text) return out;
  for (const part of text.split("&")) {
    if (!part) continue;
    const i = part.indexOf("=");
    const k = decodeURIComponent(i < 0 ? part : part.slice(0, i));
    out[k] = i < 0 ? "" : part.slice(i + 1);
  }
  return out;
}

function coerceScalar(raw, like) {
  const s = decodeURIComponent(raw);
  if (typeof like === "boolean") {
    if (/^(true|1|yes|on)$/i.test(s)) return true;
    if (/^(false|0|no|off)$/i.test(s)) return false;
    return s; // let the server say what is wrong
  }
  if (typeof like === "number") {
    const n = Number(s);
    return s.trim() !== "" && Number.isFinite(n) ? n : s;
  }
  return s;
}

// Turns the raw fragment into {config, page, lang, unknown}: values typed after `defaults`.
export function parseFragment(hash, defaults) {
  const fragment = readFragment(hash);
  const { hide, unknown } = takeHides(fragment);
  const raw = isTfLink(fragment) ? fromTfLink(fragment) : fragment;
  const config = {};
  const page = { hide };
  let lang = null;
  for (const [k, v] of Object.entries(raw)) {
    if (k === "lang") {
      lang = decodeURIComponent(v);
    } else if (k === "hide") {
      unknown.push(k);
    } else if (typeof PAGE_KEYS[k] === "string") {
      page[k] = decodeURIComponent(v);
    } else if (k in PAGE_KEYS) {
      page[k] = coerceScalar(v, false) === true;
    } else if (defaults && k in defaults) {
      const like = defaults[k];
      if (Array.isArray(like)) {
        const items = v === "" ? [] : v.split(",");
        const numeric = like.length ? typeof like[0] === "number" : items.every((x) => /^-?\d+(\.\d+)?$/.test(x));
        config[k] = items.map((x) => coerceScalar(x, numeric ? 0 : ""));
      } else {
        config[k] = coerceScalar(v, like);
      }
    } else {
      unknown.push(k);
    }
  }
  return { config, page, lang, unknown };
}
