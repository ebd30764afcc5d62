// A drawn data set in the link: `drawn=c…` (classes) or `drawn=v…` (targets), then the
// base64url of three bytes per point: x1 and x2 as q in 0..254 over the built-in sets'
// domain [−6, 6] (a step of 12/254 ≈ 0.047), then the class (0..5) or the target as q
// over [−1, 1]. The page snaps every point it draws to these steps, so a link gives back
// exactly the points drawn. 200 points take 800 characters; a larger set stays out of
// the link (the page says so).

export const LINK_MAX_POINTS = 200;
const Q = 254;
const DOMAIN = [-6, 6];
const TARGETS = [-1, 1];

const toQ = (v, [lo, hi]) => Math.max(0, Math.min(Q, Math.round(((v - lo) / (hi - lo)) * Q)));
const fromQ = (q, [lo, hi]) => lo + (q * (hi - lo)) / Q;

// The nearest value a link can hold: coordinates (`target` false) or targets.
export function snap(v, target = false) {
  const range = target ? TARGETS : DOMAIN;
  return Math.round(fromQ(toQ(v, range), range) * 1e6) / 1e6;
}

// {task, x: [[x1, x2]…], y: […]} → the link's text, or "" when it has too many points.
export function encodeDrawn(set) {
  const n = set?.x?.length ?? 0;
  if (!n || n > LINK_MAX_POINTS) return "";
  const regression = set.task === "regression";
  let bytes = "";
  for (let i = 0; i < n; i++) {
    const label = regression ? toQ(set.y[i], TARGETS) : set.y[i];
    bytes += String.fromCharCode(toQ(set.x[i][0], DOMAIN), toQ(set.x[i][1], DOMAIN), label);
  }
  const b64 = window.btoa(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return (regression ? "v" : "c") + b64;
}

// The link's text → {task, x, y}, or null for text that is not a drawn set.
export function decodeDrawn(text) {
  const kind = text?.[0];
  if (kind !== "c" && kind !== "v") return null;
  let bytes;
  try {
    bytes = window.atob(text.slice(1).replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
  if (!bytes.length || bytes.length % 3) return null;
  const set = { task: kind === "v" ? "regression" : "classification", x: [], y: [] };
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [0, 1, 2].map((k) => bytes.charCodeAt(i + k));
    set.x.push([snap(fromQ(a, DOMAIN)), snap(fromQ(b, DOMAIN))]);
    set.y.push(kind === "v" ? snap(fromQ(c, TARGETS), true) : c);
  }
  return set;
}
