// The viewer: the selected job's samples as they form — a picture grid, or points easing from one preview to the
// next in a view box that follows them — with its caption and, for a measured job, each sample's likelihood.
import { blank } from "./canvas.js";
import { describeLikelihood, progressPercent, seconds } from "./jobs.js";
import { between, boxToCanvas, easeBox, fitPicture, gridCell, shade, viewBox } from "./plot.js";
import { $, modelShape } from "./session.js";

const EASE_MS = 250; // how long points take to move to the next preview

let shown = null; // the job on screen
let from = null; // points being moved from, for a smooth animation
let to = null;
let startedAt = 0;
let bounds = null; // smoothed view box [minX, maxX, minY, maxY]

const canvas = () => $("#preview-canvas");

/** Shows a job (undefined: none): its caption, progress, and its result or latest preview. */
export function show(job) {
  shown = job;
  const caption = $("#viewer-caption");
  if (!job) {
    caption.textContent = "Submit a job, or pick one from the queue, to watch its samples form.";
    return;
  }
  caption.textContent = describe(job);
  $("#viewer-progress").style.width = progressPercent(job) + "%";
  listLikelihoods(job.likelihood);
  const what = job.result || job.preview;
  if (!what) {
    clear();
    return;
  }
  if (what.image) {
    drawImage(what.image);
  } else if (what.points && what.points !== to) {
    from = to && to.length === what.points.length ? current() : what.points;
    to = what.points;
    startedAt = performance.now();
    requestAnimationFrame(frame);
  } else if (what.points) {
    requestAnimationFrame(frame); // the same points, perhaps newly measured: drawn again with their shades
  }
}

function describe(job) {
  return (
    job.model +
    " · " +
    job.id +
    " · " +
    job.status.toLowerCase() +
    (job.t !== undefined && job.status === "RUNNING" ? " · t = " + Number(job.t).toFixed(3) : "") +
    (job.nfe ? " · " + job.nfe.toLocaleString() + " NFE" : "") +
    (job.status === "RUNNING" && job.etaMs !== undefined ? " · ETA " + seconds(job.etaMs) : "") +
    (job.likelihood
      ? " · " + (job.task ? "likelihood " : "its likelihood ") + describeLikelihood(job.likelihood)
      : "")
  );
}

/** Lists each sample's value (a measured job, or the likelihood job itself) under the canvas. */
function listLikelihoods(l) {
  const list = $("#sample-likelihoods");
  const values = (l && l.values) || [];
  $("#likelihood-details").hidden = values.length === 0;
  const of = JSON.stringify([l && l.unit, values.length, l && l.mean]);
  if (list.dataset.of === of) return;
  list.dataset.of = of;
  const digits = l && l.unit === "bits/dim" ? 3 : 2;
  list.replaceChildren(
    ...values.map((v, i) => {
      const item = document.createElement("li");
      const se = l.errors && l.errors[i];
      item.textContent =
        (v === null ? "not finite" : Number(v).toFixed(digits)) +
        (se ? " ± " + Number(se).toFixed(digits) : "") +
        " " +
        l.unit;
      return item;
    }),
  );
}

/** Writes each sample's value on its cell of a result grid drawn at (x, y) times scale. */
function labelCells(ctx, values, unit, x, y, scale) {
  const [, h, w] = modelShape(shown.model);
  ctx.font = Math.max(10, Math.min(14, Math.floor((w * scale) / 5))) + "px sans-serif";
  ctx.textBaseline = "bottom";
  values.forEach((v, i) => {
    if (v === null) return;
    const [gx, gy] = gridCell(i, values.length, h, w);
    const cx = x + gx * scale;
    const cy = y + gy * scale;
    const text = Number(v).toFixed(unit === "bits/dim" ? 2 : 1);
    ctx.fillStyle = "rgba(10,14,24,.75)";
    ctx.fillRect(cx, cy - 15, ctx.measureText(text).width + 6, 15);
    ctx.fillStyle = "#ffd866";
    ctx.fillText(text, cx + 3, cy - 1);
  });
}

function clear() {
  blank(canvas());
  from = to = null;
}

function frameDrawn() {
  const c = canvas();
  c.dataset.frames = String(Number(c.dataset.frames) + 1);
}

function drawImage(image) {
  from = to = null;
  const c = canvas();
  const ctx = blank(c);
  ctx.imageSmoothingEnabled = false;
  const fit = fitPicture(image.width, image.height, c.width, c.height);
  ctx.drawImage(image, fit.x, fit.y, fit.width, fit.height);
  const l = shown && shown.result && shown.result.image === image && shown.likelihood;
  if (l && l.values && l.values.length === shown.samples && l.values.length <= 64) {
    labelCells(ctx, l.values, l.unit, fit.x, fit.y, fit.scale);
  }
  frameDrawn();
}

function progress() {
  return Math.min(1, (performance.now() - startedAt) / EASE_MS);
}

function current() {
  return between(from, to, progress());
}

function frame() {
  if (!to || !shown || (shown.result || shown.preview || {}).image) return;
  const c = canvas();
  const ctx = blank(c);
  const pts = current();
  const goal = viewBox(pts);
  bounds = easeBox(bounds, goal);
  const at = boxToCanvas(bounds, c.width, c.height);
  ctx.strokeStyle = "#1c2438";
  ctx.beginPath();
  ctx.moveTo(at.x(0), 0);
  ctx.lineTo(at.x(0), c.height);
  ctx.moveTo(0, at.y(0));
  ctx.lineTo(c.width, at.y(0));
  ctx.stroke();
  ctx.fillStyle = shown.result ? "rgba(76,195,138,.8)" : "rgba(122,162,255,.75)";
  const r = pts.length > 2000 ? 1.2 : 2.2;
  // a measured job's points are shaded by their log-likelihood, from dark blue (least likely) to yellow
  const values = shown.result && shown.likelihood && shown.likelihood.values;
  const shaded = values && values.length === pts.length;
  const finite = shaded ? values.filter((v) => v !== null) : [];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  for (const [i, [x, y]] of pts.entries()) {
    if (shaded) ctx.fillStyle = values[i] === null ? "#ff5d5d" : shade(values[i], lo, hi);
    ctx.beginPath();
    ctx.arc(at.x(x), at.y(y), r, 0, 2 * Math.PI);
    ctx.fill();
  }
  frameDrawn();
  if (progress() < 1 || Math.abs(goal[0] - bounds[0]) > 1e-3 * (bounds[1] - bounds[0]))
    requestAnimationFrame(frame);
}
