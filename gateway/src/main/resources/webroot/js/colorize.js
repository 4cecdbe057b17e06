// The grey picture a colorization job colours: a PNG of the model's height and width, uploaded or one of the shipped
// examples (grey versions of held-out images, examples/*/examples.json, offered when the model's shape is
// theirs), read without colour management so that its levels come through as they are; its grey level per pixel is
// the mean of its channels. An example shows its original beside it and sets the class it belongs to.
import { ApiError } from "./api.js";
import { blank, drawPixels } from "./canvas.js";
import { greyLevels } from "./pixels.js";
import { float32Tensor } from "./tensors.js";
import { $, state } from "./session.js";
import { showError } from "./errors.js";

let picture = null; // {model, height, width, grey Float32Array [H * W] in [0, 1], original URL or null}
let examples = []; // [{dir, shape, classes, examples: [{grey, original, label, name}]}]

/** The example sets the dashboard ships. */
export const EXAMPLE_SETS = ["examples/emoji"];

const canvas = () => $("#gray-canvas");

/** Wires the file input and reads the example sets' indexes. */
export async function init() {
  $("#gray-file").onchange = () => {
    const file = $("#gray-file").files[0];
    if (file) load(file, null);
  };
  for (const dir of EXAMPLE_SETS) {
    try {
      const answer = await fetch(dir + "/examples.json");
      if (answer.ok) examples.push({ dir, ...(await answer.json()) });
    } catch {
      // a set that cannot be read is not offered
    }
  }
  showExamples();
}

/** Forgets the picture when another model is chosen, and offers the examples of its shape. */
export function forModel(name) {
  if (picture && picture.model !== name) picture = null;
  draw();
  showExamples();
}

function showExamples() {
  const strip = $("#gray-examples");
  const model = state.models.get($("#model").value);
  const sets = model ? examples.filter((e) => String(e.shape) === String(model.dataShape)) : [];
  strip.replaceChildren();
  strip.hidden = sets.length === 0;
  for (const set of sets) {
    for (const e of set.examples) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "example";
      button.title = e.name + " (" + set.classes[e.label] + ")";
      button.dataset.label = String(e.label);
      const image = document.createElement("img");
      image.src = set.dir + "/" + e.grey;
      image.alt = "grey " + e.name;
      button.append(image);
      button.onclick = () => pick(set, e);
      strip.append(button);
    }
  }
}

async function pick(set, e) {
  try {
    const answer = await fetch(set.dir + "/" + e.grey);
    if (!answer.ok)
      throw new ApiError(answer.status, "example_missing", e.grey + " could not be read");
    await load(await answer.blob(), set.dir + "/" + e.original);
    const model = state.models.get($("#model").value);
    if (model && model.numClasses > e.label) $("#label").value = String(e.label);
  } catch (error) {
    showError(error, "colorize");
  }
}

function draw() {
  const c = canvas();
  blank(c);
  c.dataset.pixels = String(picture ? picture.grey.length : 0);
  const original = $("#gray-original");
  original.hidden = !picture || !picture.original;
  if (picture && picture.original) original.src = picture.original;
  if (!picture) return;
  drawPixels(c, picture.height, picture.width, (p) => {
    const v = Math.round(255 * picture.grey[p]);
    return "rgb(" + v + "," + v + "," + v + ")";
  });
}

/** Reads a grey picture from a file or blob; `original` is the colour image it came from, when known. */
async function load(file, original) {
  const model = state.models.get($("#model").value);
  if (!model) return;
  const [, h, w] = model.dataShape;
  try {
    const image = await createImageBitmap(file, {
      colorSpaceConversion: "none",
      premultiplyAlpha: "none",
    });
    if (image.width !== w || image.height !== h) {
      throw new ApiError(
        0,
        "wrong_size",
        "the picture is " +
          image.width +
          " x " +
          image.height +
          " pixels; " +
          model.name +
          " makes " +
          w +
          " x " +
          h,
      );
    }
    const scratch = document.createElement("canvas");
    scratch.width = w;
    scratch.height = h;
    const g = scratch.getContext("2d", { colorSpace: "srgb" });
    g.drawImage(image, 0, 0);
    picture = {
      model: model.name,
      height: h,
      width: w,
      grey: greyLevels(g.getImageData(0, 0, w, h).data, w * h),
      original,
    };
    draw();
  } catch (e) {
    showError(e, "colorize");
  }
}

/** The request's `conditioning.colorization`: the grey levels as [1, 1, H, W]. */
export function conditioning(model) {
  if (!picture || picture.model !== model) return {}; // refused, naming conditioning.colorization.gray
  return { gray: float32Tensor([1, 1, picture.height, picture.width], picture.grey) };
}
