// Drawing transforms: where points, curves and grid cells land on a canvas, and their colours. Pure: numbers in,
// numbers and strings out; the canvases are drawn by the modules that own them.

/**
 * The square view box [minX, maxX, minY, maxY] around points [[x, y]]: centred on the 1–99 % quantiles of each
 * coordinate, 1.2 times the larger spread (at least 1e-3) wide; [-1, 1, -1, 1] when no point is finite.
 */
export function viewBox(points) {
  const sorted = (k) =>
    points
      .map((p) => p[k])
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
  const xs = sorted(0);
  const ys = sorted(1);
  if (!xs.length || !ys.length) return [-1, 1, -1, 1];
  const q = (a, f) => a[Math.min(a.length - 1, Math.floor(f * a.length))];
  const box = [q(xs, 0.01), q(xs, 0.99), q(ys, 0.01), q(ys, 0.99)];
  const half = Math.max(box[1] - box[0], box[3] - box[2], 1e-3) * 0.6;
  const cx = (box[0] + box[1]) / 2;
  const cy = (box[2] + box[3]) / 2;
  return [cx - half, cx + half, cy - half, cy + half];
}

/** One frame's step of a view box towards its goal: a fifth of the way (the goal itself when there is none yet). */
export function easeBox(box, goal) {
  return box ? box.map((b, i) => b + (goal[i] - b) * 0.2) : goal;
}

/** Canvas coordinates for data in a view box: x to the right, y up, the box filling width by height. */
export function boxToCanvas([x0, x1, y0, y1], width, height) {
  return {
    x: (x) => ((x - x0) / (x1 - x0)) * width,
    y: (y) => height - ((y - y0) / (y1 - y0)) * height,
  };
}

/** Points moved a fraction s in [0, 1] of the way from `from` to `to` (same length). */
export function between(from, to, s) {
  return to.map((p, i) => [
    from[i][0] + (p[0] - from[i][0]) * s,
    from[i][1] + (p[1] - from[i][1]) * s,
  ]);
}

/** A colour from dark blue (the least likely sample) to yellow (the most), for value v in [lo, hi]. */
export function shade(v, lo, hi) {
  const f = hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 1;
  return (
    "rgba(" +
    Math.round(60 + 190 * f) +
    "," +
    Math.round(90 + 140 * f) +
    "," +
    Math.round(220 - 170 * f) +
    ",.85)"
  );
}

/**
 * The bottom-left corner, in the grid's pixels, of sample i's cell in a result grid of n samples of h × w pixels
 * (PngGrid's layout: ceil(sqrt(n)) columns, 2 px gaps and border).
 */
export function gridCell(i, n, h, w) {
  const cols = Math.ceil(Math.sqrt(n));
  return [2 + (i % cols) * (w + 2), 2 + Math.floor(i / cols) * (h + 2) + h];
}

/** The largest scale and the offset that centre a width × height picture in a canvas. */
export function fitPicture(width, height, canvasWidth, canvasHeight) {
  const scale = Math.min(canvasWidth / width, canvasHeight / height);
  return {
    scale,
    x: (canvasWidth - width * scale) / 2,
    y: (canvasHeight - height * scale) / 2,
    width: width * scale,
    height: height * scale,
  };
}

/** A map from positive values to a canvas's y on a log scale: the smallest at `bottom`, the largest at `top`. */
export function logScale(values, bottom, top) {
  const logs = values.map(Math.log);
  const lo = Math.min(...logs);
  const hi = Math.max(...logs, lo + 1e-9);
  return (v) => bottom - ((bottom - top) * (Math.log(v) - lo)) / (hi - lo);
}

/** A map from steps to a canvas's x: the first at `left`, the last at `right` (one step wide at least). */
export function stepScale(steps, left, right) {
  const x0 = Math.min(...steps.map(Number));
  const x1 = Math.max(...steps.map(Number), x0 + 1);
  return (step) => left + ((right - left) * (Number(step) - x0)) / (x1 - x0);
}

/** The figure of a checkpoint that a training curve plots: sliced W1 for low-dimensional data, else the FD. */
export function quality(point) {
  if (point.slicedWasserstein !== undefined) return point.slicedWasserstein;
  return point.frechetDistance;
}

/** The caption under a training curve: its last loss and its last measured quality, each null when none. */
export function trainingCaption(points) {
  const losses = points.filter((p) => p.loss > 0);
  const measured = points.filter((p) => quality(p) > 0);
  const last = losses[losses.length - 1];
  const m = measured[measured.length - 1];
  let q = null;
  if (m && m.slicedWasserstein !== undefined) {
    q =
      "sliced W1 " +
      m.slicedWasserstein.toPrecision(3) +
      " (data to data ≤ " +
      m.slicedWassersteinBound.toPrecision(3) +
      ")";
  } else if (m) {
    q =
      "FD " +
      m.frechetDistance.toPrecision(3) +
      (m.frechetDistanceData !== undefined
        ? " (training images: " + m.frechetDistanceData.toPrecision(3) + ")"
        : "") +
      ", class spread " +
      m.classSpread.toFixed(2) +
      (m.labelAgreement !== undefined
        ? ", labels " + Math.round(100 * m.labelAgreement) + "%"
        : "");
  }
  return {
    loss: last ? "loss " + last.loss.toPrecision(3) + " at step " + last.step : null,
    quality: q,
  };
}
