// The picture an inpainting job completes and the mask drawn over it: a sample of a finished job (its float values,
// so the known part goes back exactly), shown enlarged; dragging over it erases pixels (mask 0: the model fills them
// in), drawn red. The request carries the picture as `known` and the mask as `mask`, both [1, ...data shape].
import { blank, drawPixels } from "./canvas.js";
import {
  brushRadius,
  eraseLowerHalf,
  eraseStroke,
  maskOverChannels,
  maskedColour,
} from "./pixels.js";
import { float32Tensor } from "./tensors.js";
import { resultPath } from "./api.js";
import { $, apiJson, state } from "./session.js";
import { showError } from "./errors.js";

let source = null; // {model, shape [C, H, W], values Float32Array in data space}
let mask = null; // Uint8Array [H * W]: 1 known, 0 to fill in
let drawing = false;
let last = null; // the stroke's previous position, in picture pixels

const canvas = () => $("#mask-canvas");

/** Wires the canvas and its buttons. */
export function init() {
  const c = canvas();
  c.addEventListener("pointerdown", (event) => {
    drawing = true;
    last = null;
    c.setPointerCapture(event.pointerId);
    paint(event);
  });
  c.addEventListener("pointermove", (event) => drawing && paint(event));
  c.addEventListener("pointerup", () => {
    drawing = false;
  });
  c.addEventListener("pointercancel", () => {
    drawing = false;
  });
  $("#mask-source").onclick = fromSelectedJob;
  $("#mask-lower").onclick = () => {
    if (!source) return;
    eraseLowerHalf(mask, source.shape[1], source.shape[2]);
    draw();
  };
  $("#mask-clear").onclick = () => {
    if (mask) mask.fill(1);
    draw();
  };
}

/** Forgets the picture when another model is chosen. */
export function forModel(name) {
  if (source && source.model !== name) {
    source = null;
    mask = null;
  }
  draw();
}

function draw() {
  const c = canvas();
  blank(c);
  c.dataset.unknown = "0";
  c.dataset.mask = "";
  if (!source) return;
  const [channels, h, w] = source.shape;
  drawPixels(c, h, w, (p) => maskedColour(source.values, channels, h * w, p, mask[p]));
  c.dataset.unknown = String(mask.reduce((n, known) => n + (known ? 0 : 1), 0));
  c.dataset.mask = mask.join("");
}

/** Erases along the stroke from the last pointer position to this one. */
function paint(event) {
  if (!source) return;
  const [, h, w] = source.shape;
  const box = canvas().getBoundingClientRect();
  const at = [
    ((event.clientX - box.left) / box.width) * w,
    ((event.clientY - box.top) / box.height) * h,
  ];
  eraseStroke(mask, h, w, last || at, at, brushRadius(w));
  last = at;
  draw();
}

async function fromSelectedJob() {
  const job = state.jobs.get(state.selected);
  const model = $("#model").value;
  if (!job || job.status !== "SUCCEEDED" || job.model !== model) {
    showError(
      { code: "no_picture", message: "select a finished job of " + model + " first" },
      "inpaint",
    );
    return;
  }
  try {
    const json = await apiJson("GET", resultPath(job.id, "json"));
    source = {
      model,
      shape: json.shape.slice(1).map(Number),
      values: Float32Array.from(json.samples[0].flat(Infinity)),
    };
    mask = new Uint8Array(source.shape[1] * source.shape[2]).fill(1);
    draw();
  } catch (e) {
    showError(e, "inpaint");
  }
}

/** The request's `conditioning.inpainting`: the picture and its mask, the mask repeated over the channels. */
export function conditioning(model) {
  if (!source || source.model !== model) return {}; // the gateway refuses it, naming conditioning.inpainting.mask
  const shape = [1, ...source.shape];
  return {
    known: float32Tensor(shape, source.values),
    mask: float32Tensor(shape, maskOverChannels(mask, source.shape[0])),
  };
}
