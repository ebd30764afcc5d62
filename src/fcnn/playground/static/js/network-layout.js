// Where the network diagram's parts go: from the layer widths and the box's size, the
// node size, the gaps, the x of each column and the [x, y] of every node. Pure geometry
// (pixels); network-draw.js puts the elements there.

// `feats`: every feature the page shows (a row each); `active`: those the network takes;
// `hidden`: the hidden layers' widths; `nOut`: the output units; `W` × `H`: the box;
// `rem`: the root font size in pixels (headers and labels are sized in rem).
// The diagram is never narrower than its columns need (a phone, six layers): `W` grows to
// that and the box scrolls sideways, rather than layer titles and numbers overlapping.
export function layoutNetwork({ feats, active, hidden, nOut, W: box, H, rem }) {
  const headerH = 5.3 * rem;
  const footerH = 3.4 * rem;
  const rows = Math.max(feats.length, ...hidden, nOut, 1);
  const avail = H - headerH - footerH;
  const labelW = 4.4 * rem;
  const nCols = hidden.length;
  // Between two columns at least 3.6rem: the width of a layer's +/− and of a gradient bar.
  const W = Math.max(box, labelW + 0.6 * rem + 2 * 28 + (nCols + 1) * 3.6 * rem);
  // The node size: what the height allows, and no more than ~60 % of the room between
  // two columns, so six layers of eight still read as separate squares.
  let s = Math.max(26, Math.min(84, Math.floor(avail / (rows * 1.32))));
  const room = (W - labelW - 0.6 * rem - 2 * s) / (nCols + 1);
  if (nCols > 0) s = Math.max(22, Math.min(s, Math.floor(room * 0.6)));
  const gap = Math.max(6, Math.min(s * 0.32, (avail - rows * s) / Math.max(1, rows - 1)));
  const top = headerH;
  const featX = labelW;
  const outX = W - s - 0.6 * rem;
  const span = outX - (featX + s);
  const spacing = span / (nCols + 1);
  const colX = (i) => featX + s + (span * (i + 1)) / (nCols + 1) - s / 2;

  const pos = []; // pos[L][i] = [x, y] of node i of column L (0 = features)
  pos.push(active.map((f) => [featX, top + feats.indexOf(f) * (s + gap)]));
  hidden.forEach((w, l) => {
    pos.push(Array.from({ length: w }, (_, i) => [colX(l), top + i * (s + gap)]));
  });
  pos.push(Array.from({ length: nOut }, (_, i) => [outX, top + i * (s + gap)]));

  // The gradient-flow bars sit under the tallest column.
  const gradY = top + rows * (s + gap) + 0.2 * rem;
  return { W, H, rem, s, gap, top, featX, outX, span, spacing, colX, pos, gradY };
}
