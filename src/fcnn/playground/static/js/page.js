// What every part of the playground page shares: the `$` lookup, the `app` record (what
// the server last said and what the page holds), and the page's two outlets: the server
// (send, sync, sendConfig over the WebSocket, docs/playground-protocol.md) and the
// address bar (writeFragment).

import { Connection } from "./connection.js";
import { encodeFragment, PAGE_KEYS } from "./urlstate.js";
import { language } from "./i18n.js";

export const $ = (id) => document.getElementById(id);

export const app = {
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

// ---- connection -----------------------------------------------------------------
function wsUrl() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const base = location.pathname.replace(/[^/]*$/, "");
  return `${proto}//${location.host}${base}ws`;
}

export function apiUrl(path) {
  return new URL(path, location.href.replace(/#.*$/, "")).pathname;
}

let conn = null; // opened by main.js once every view exists

// Opens the socket; `handlers` are Connection's {onMessage, onStatus}.
export function connect(handlers) {
  conn = new Connection(wsUrl(), handlers);
}

export function send(msg) {
  conn.send(msg);
}

// Resolves once the server has answered everything sent before it (a ping's pong comes
// after the answers to the earlier frames). Pongs are matched in order.
const syncs = [];
export function sync() {
  return new Promise((resolve) => {
    syncs.push(resolve);
    send({ type: "ping" });
  });
}

// A pong came: the oldest sync() waiting is answered.
export function resolveSync() {
  syncs.shift()?.();
}

// A new socket: the old socket's pongs never come, so every sync() waiting is let go.
export function resolveAllSyncs() {
  for (const resolve of syncs.splice(0)) resolve();
}

// Sends a (partial) config. The page assumes it will be accepted until the server says
// (its `config` echo or an `error`), so quick successive clicks build on each other.
export function sendConfig(partial) {
  send({ type: "config", config: partial });
  if (app.config) app.config = { ...app.config, ...partial };
}

// ---- URL ------------------------------------------------------------------------
// The address bar's fragment holds the config in force and the page-only settings, so a
// link shares the whole playground.
export function writeFragment() {
  if (!app.config) return;
  const frag = encodeFragment(app.config, app.page, language());
  if (location.hash.slice(1) !== frag) history.replaceState(null, "", `#${frag}`);
}
