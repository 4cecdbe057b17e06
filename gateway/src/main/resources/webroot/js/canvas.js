// What every canvas of the page shares: its background, and pictures drawn pixel by pixel, enlarged.

const BACKGROUND = "#0a0e18";

/** Fills a canvas with the background; its 2-D context. */
export function blank(canvas) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  return ctx;
}

/** Draws an h × w picture from its top-left corner, as large as fits, pixel p in colour(p) (CSS). */
export function drawPixels(canvas, h, w, colour) {
  const ctx = canvas.getContext("2d");
  const cell = Math.min(canvas.width / w, canvas.height / h);
  for (let p = 0; p < h * w; p++) {
    ctx.fillStyle = colour(p);
    ctx.fillRect((p % w) * cell, Math.floor(p / w) * cell, Math.ceil(cell), Math.ceil(cell));
  }
}
