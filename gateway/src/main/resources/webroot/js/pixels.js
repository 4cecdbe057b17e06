// Pictures as the page edits them before a job: masks, grey levels, 8-bit levels. Pure: typed arrays in and out.

/** A value in [0, 1] (clipped) as an 8-bit level. */
export function level(v) {
  return Math.round(255 * Math.max(0, Math.min(1, v)));
}

/**
 * Erases (sets to 0) the pixels of an h × w mask whose centres lie within `radius` of the segment from `from` to
 * `to` ([x, y] in pixels), stamping discs every half radius along it.
 */
export function eraseStroke(mask, h, w, from, to, radius) {
  const [x0, y0] = from;
  const [x, y] = to;
  const steps = Math.max(1, Math.ceil(Math.hypot(x - x0, y - y0) / (radius / 2)));
  for (let i = 0; i <= steps; i++) {
    const cx = x0 + ((x - x0) * i) / steps;
    const cy = y0 + ((y - y0) * i) / steps;
    for (let py = 0; py < h; py++) {
      for (let px = 0; px < w; px++) {
        if ((px + 0.5 - cx) ** 2 + (py + 0.5 - cy) ** 2 <= radius * radius) mask[py * w + px] = 0;
      }
    }
  }
  return mask;
}

/** The brush radius for a picture w pixels wide: a disc about a seventh of it across, at least 0.75 px. */
export function brushRadius(w) {
  return Math.max(0.75, w / 14);
}

/** Erases the lower half (rows from floor(h / 2)) of an h × w mask. */
export function eraseLowerHalf(mask, h, w) {
  mask.fill(0, Math.floor(h / 2) * w, h * w);
  return mask;
}

/** A mask of one plane repeated over c channels, as floats: the [C, H, W] mask a request carries. */
export function maskOverChannels(mask, c) {
  const full = new Float32Array(c * mask.length);
  for (let k = 0; k < c; k++) full.set(mask, k * mask.length);
  return full;
}

/** The grey level in [0, 1] of each of n RGBA pixels: the mean of its three channels. */
export function greyLevels(rgba, n) {
  const grey = new Float32Array(n);
  for (let p = 0; p < n; p++) grey[p] = (rgba[4 * p] + rgba[4 * p + 1] + rgba[4 * p + 2]) / 3 / 255;
  return grey;
}

/**
 * The colour of pixel p of a [C, H, W] picture (values in [0, 1], C = 1 or 3) as CSS: as it is where the mask
 * keeps it, tinted red where the mask erased it.
 */
export function maskedColour(values, c, plane, p, known) {
  const r = level(values[p]);
  const g = c === 3 ? level(values[plane + p]) : r;
  const b = c === 3 ? level(values[2 * plane + p]) : r;
  return known
    ? "rgb(" + r + "," + g + "," + b + ")"
    : "rgb(" + Math.max(120, r) + "," + Math.round(g * 0.3) + "," + Math.round(b * 0.3) + ")";
}
