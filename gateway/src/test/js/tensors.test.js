import { test } from "node:test";
import assert from "node:assert/strict";
import {
  float32Tensor,
  float32Values,
  previewPoints,
} from "../../main/resources/webroot/js/tensors.js";

test("a float32 tensor is little-endian bytes in base64 with its shape as strings", () => {
  // 1.0f is 00 00 80 3f little-endian; -2.0f is 00 00 00 c0
  assert.deepEqual(float32Tensor([1, 2], [1, -2]), {
    shape: ["1", "2"],
    dtype: "FLOAT32",
    data: Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]).toString("base64"),
  });
});

test("values come back from a tensor as they went in, rounded to float32", () => {
  const values = [0.1, -3.5, 1e-8, 65504];
  assert.deepEqual([...float32Values(float32Tensor([4], values))], [...Float32Array.from(values)]);
});

test("a preview of M rows of D values is M points of the first two", () => {
  const tensor = float32Tensor([2, 3], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(previewPoints(tensor), [
    [1, 2],
    [4, 5],
  ]);
});

test("one-dimensional previews lie on the x axis", () => {
  assert.deepEqual(previewPoints(float32Tensor([3, 1], [0.5, 1.5, -1])), [
    [0.5, 0],
    [1.5, 0],
    [-1, 0],
  ]);
});
