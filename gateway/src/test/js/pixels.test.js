import { test } from "node:test";
import assert from "node:assert/strict";
import {
  brushRadius,
  eraseLowerHalf,
  eraseStroke,
  greyLevels,
  level,
  maskOverChannels,
  maskedColour,
} from "../../main/resources/webroot/js/pixels.js";

const rows = (mask, w) =>
  Array.from({ length: mask.length / w }, (_, y) => mask.slice(y * w, (y + 1) * w).join(""));

test("levels clip to [0, 1] and round to 8 bits", () => {
  assert.deepEqual([level(-1), level(0.5), level(2)], [0, 128, 255]);
});

test("a click erases the pixels whose centres lie in the brush's disc", () => {
  const mask = new Uint8Array(25).fill(1);
  eraseStroke(mask, 5, 5, [2.5, 2.5], [2.5, 2.5], 1);
  assert.deepEqual(rows(mask, 5), ["11111", "11011", "10001", "11011", "11111"]);
});

test("a stroke erases all along its way, with no gaps between discs", () => {
  const mask = new Uint8Array(5 * 20).fill(1);
  eraseStroke(mask, 5, 20, [0.5, 2.5], [19.5, 2.5], 0.75);
  assert.deepEqual(rows(mask, 20)[2], "0".repeat(20));
  assert.deepEqual(rows(mask, 20)[0], "1".repeat(20));
});

test("the brush is about a seventh of the picture across", () => {
  assert.equal(brushRadius(28), 2);
  assert.equal(brushRadius(4), 0.75);
});

test("the lower half of a mask is erased from the middle row down", () => {
  assert.deepEqual(rows(eraseLowerHalf(new Uint8Array(15).fill(1), 5, 3), 3), [
    "111",
    "111",
    "000",
    "000",
    "000",
  ]);
});

test("a mask goes over every channel as floats", () => {
  assert.deepEqual([...maskOverChannels(Uint8Array.of(1, 0), 3)], [1, 0, 1, 0, 1, 0]);
});

test("grey is the mean of the three channels, ignoring alpha", () => {
  const rgba = Uint8ClampedArray.of(255, 0, 0, 255, 30, 60, 90, 0);
  const grey = greyLevels(rgba, 2);
  assert.ok(Math.abs(grey[0] - 1 / 3) < 1e-6);
  assert.ok(Math.abs(grey[1] - 60 / 255) < 1e-6);
});

test("kept pixels show their colour and erased ones are tinted red", () => {
  const rgb = Float32Array.of(1, 0.5, 0); // one pixel, three planes
  assert.equal(maskedColour(rgb, 3, 1, 0, 1), "rgb(255,128,0)");
  assert.equal(maskedColour(rgb, 3, 1, 0, 0), "rgb(255,38,0)");
  assert.equal(maskedColour(Float32Array.of(0.2), 1, 1, 0, 0), "rgb(120,15,15)");
});
