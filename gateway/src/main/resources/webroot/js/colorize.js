// The grey picture a colorization job colours: a PNG of the model's height and width, read without colour
// management so that its levels come through as they are; its grey level per pixel is the mean of its channels.
import { ApiError } from "./api.js";
import { blank, drawPixels } from "./canvas.js";
import { greyLevels } from "./pixels.js";
import { float32Tensor } from "./tensors.js";
import { $, state } from "./session.js";
import { showError } from "./errors.js";

let picture = null; // {model, height, width, grey Float32Array [H * W] in [0, 1]}

const canvas = () => $("#gray-canvas");

/** Wires the file input. */
export function init() {
  $("#gray-file").onchange = load;
}

/** Forgets the picture when another model is chosen. */
export function forModel(name) {
  if (picture && picture.model !== name) picture = null;
  draw();
}

function draw() {
  const c = canvas();
  blank(c);
  c.dataset.pixels = String(picture ? picture.grey.length : 0);
  if (!picture) return;
  drawPixels(c, picture.height, picture.width, (p) => {
    const v = Math.round(255 * picture.grey[p]);
    return "rgb(" + v + "," + v + "," + v + ")";
  });
}

async function load() {
  const file = $("#gray-file").files[0];
  const model = state.models.get($("#model").value);
  if (!file || !model) return;
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
