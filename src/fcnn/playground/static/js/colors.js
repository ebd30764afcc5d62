// Colour scales: a diverging orange → light grey → blue scale for signed values
// (negative = orange, positive = blue, as in the TensorFlow Playground), and one
// distinct colour per class for up to six classes.

export const ORANGE = [245, 147, 34];
export const BLUE = [8, 119, 189];
export const MID = [232, 234, 235];

// Class colours: class 0 orange and class 1 blue (so two classes look like the binary
// case), then green, purple, red and gold, all distinguishable for common colour-vision
// deficiencies by lightness as well as hue.
export const CLASS_COLORS = [
  [245, 147, 34],
  [8, 119, 189],
  [46, 160, 67],
  [142, 68, 173],
  [214, 39, 40],
  [188, 160, 0],
];

export function rgb(c) {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

// v in [-1, 1] (clamped) → [r, g, b].
export function diverging(v) {
  if (!Number.isFinite(v)) return MID;
  if (v < -1) v = -1;
  else if (v > 1) v = 1;
  return v < 0 ? mix(MID, ORANGE, -v) : mix(MID, BLUE, v);
}

// Class k with confidence t in [0, 1] (0 = undecided, 1 = certain).
export function classShade(k, t) {
  const c = CLASS_COLORS[k % CLASS_COLORS.length];
  if (!Number.isFinite(t)) t = 0;
  t = Math.max(0, Math.min(1, t));
  return mix(MID, c, 0.12 + 0.88 * t);
}

export function classColor(k) {
  return CLASS_COLORS[k % CLASS_COLORS.length];
}

// A link's stroke colour for weight w (saturates at |w| = 1 for the hue).
export function weightColor(w) {
  const t = Math.min(1, Math.abs(w));
  return rgb(w < 0 ? mix(MID, ORANGE, 0.35 + 0.65 * t) : mix(MID, BLUE, 0.35 + 0.65 * t));
}
