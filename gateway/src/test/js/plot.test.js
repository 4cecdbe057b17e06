import { test } from "node:test";
import assert from "node:assert/strict";
import {
  between,
  boxToCanvas,
  easeBox,
  fitPicture,
  gridCell,
  logScale,
  quality,
  shade,
  stepScale,
  trainingCaption,
  viewBox,
} from "../../main/resources/webroot/js/plot.js";

const close = (a, b) => assert.ok(Math.abs(a - b) < 1e-9, a + " != " + b);

test("the view box is square, centred, and 1.2 times the spread", () => {
  const pts = [];
  for (let i = 0; i <= 100; i++) pts.push([i / 100, 10 + i / 50]); // x spread 1, y spread 2
  const [x0, x1, y0, y1] = viewBox(pts);
  close(x1 - x0, y1 - y0);
  close((x0 + x1) / 2, 0.5);
  close((y0 + y1) / 2, 11);
  assert.ok(Math.abs(y1 - y0 - 2.4) < 0.1);
});

test("the view box ignores the outer percent and points that are not finite", () => {
  const pts = Array.from({ length: 200 }, (_, i) => [i % 2, i % 2]);
  pts.push([1e9, 1e9], [NaN, NaN], [Infinity, 0]);
  const [x0, x1] = viewBox(pts);
  assert.ok(x1 - x0 < 2);
  assert.deepEqual(viewBox([[NaN, NaN]]), [-1, 1, -1, 1]);
});

test("the box eases a fifth of the way each frame", () => {
  assert.deepEqual(easeBox(null, [0, 1, 0, 1]), [0, 1, 0, 1]);
  assert.deepEqual(easeBox([0, 10, 0, 10], [5, 15, 5, 15]), [1, 11, 1, 11]);
});

test("data coordinates map with y up", () => {
  const at = boxToCanvas([-1, 1, -1, 1], 200, 100);
  assert.deepEqual([at.x(-1), at.x(0), at.x(1)], [0, 100, 200]);
  assert.deepEqual([at.y(-1), at.y(0), at.y(1)], [100, 50, 0]);
});

test("points move linearly between previews", () => {
  assert.deepEqual(between([[0, 0]], [[2, 4]], 0.5), [[1, 2]]);
});

test("shades run from blue at the least likely to yellow at the most", () => {
  assert.equal(shade(0, 0, 1), "rgba(60,90,220,.85)");
  assert.equal(shade(1, 0, 1), "rgba(250,230,50,.85)");
  assert.equal(shade(5, 0, 1), shade(1, 0, 1));
  assert.equal(shade(3, 3, 3), shade(1, 0, 1)); // all alike: the top colour
});

test("grid cells follow PngGrid's layout", () => {
  // 5 samples of 28 × 28: 3 columns, 2 px gaps
  assert.deepEqual(gridCell(0, 5, 28, 28), [2, 30]);
  assert.deepEqual(gridCell(2, 5, 28, 28), [62, 30]);
  assert.deepEqual(gridCell(3, 5, 28, 28), [2, 60]);
});

test("a picture fits centred at the largest scale", () => {
  assert.deepEqual(fitPicture(100, 50, 400, 400), {
    scale: 4,
    x: 0,
    y: 100,
    width: 400,
    height: 200,
  });
});

test("log scales put the smallest value at the bottom and the largest at the top", () => {
  const y = logScale([1, 10, 100], 94, 6);
  close(y(1), 94);
  close(y(10), 50);
  close(y(100), 6);
  const flat = logScale([5, 5], 94, 6);
  close(flat(5), 94);
});

test("steps spread between the margins, a single step at the left", () => {
  const x = stepScale(["0", "50", "100"], 6, 206);
  assert.deepEqual([x("0"), x(50), x(100)], [6, 106, 206]);
  close(stepScale([7], 6, 206)(7), 6);
});

test("checkpoints plot sliced W1 where measured, else the Fréchet distance", () => {
  assert.equal(quality({ slicedWasserstein: 0.1, frechetDistance: 9 }), 0.1);
  assert.equal(quality({ frechetDistance: 9 }), 9);
});

test("the training caption gives the last loss and the last measured quality", () => {
  const caption = trainingCaption([
    { step: "100", loss: 0.5 },
    { step: "200", loss: 0.25, slicedWasserstein: 0.0812, slicedWassersteinBound: 0.0411 },
    { step: "300", loss: 0 },
  ]);
  assert.deepEqual(caption, {
    loss: "loss 0.250 at step 200",
    quality: "sliced W1 0.0812 (data to data ≤ 0.0411)",
  });
  const images = trainingCaption([
    {
      step: "1",
      loss: 1,
      frechetDistance: 12.34,
      frechetDistanceData: 1.5,
      classSpread: 0.9,
      labelAgreement: 0.87,
    },
  ]);
  assert.equal(images.quality, "FD 12.3 (training images: 1.50), class spread 0.90, labels 87%");
  assert.deepEqual(trainingCaption([]), { loss: null, quality: null });
});
