import { test } from "node:test";
import assert from "node:assert/strict";
import {
  canMeasure,
  canWalk,
  classifiersFor,
  describeShape,
  isImageShape,
  modelFacts,
  splitModels,
} from "../../main/resources/webroot/js/models.js";

const sde = { "scorestream.sde": "vp", "scorestream.sde.beta_max": "20" };
const mnist = { name: "mnist", sde: "vp", dataShape: [1, 28, 28], numClasses: 10, metadata: sde };
const clf = (name, extra) => ({
  name,
  kind: "classifier",
  sde: "vp",
  dataShape: [1, 28, 28],
  numClasses: 10,
  metadata: sde,
  ...extra,
});

test("a model's menu line gives its SDE and shape", () => {
  assert.equal(describeShape(mnist), "VP, 1×28×28");
  assert.equal(describeShape({}), "?, ");
});

test("one- and three-channel [C, H, W] data are pictures; points are not", () => {
  assert.ok(isImageShape([1, 28, 28]));
  assert.ok(isImageShape([3, 32, 32]));
  assert.ok(!isImageShape([2]));
  assert.ok(!isImageShape([4, 8, 8]));
});

test("a listing splits into score models and classifiers", () => {
  const { models, classifiers } = splitModels([mnist, clf("c1")]);
  assert.deepEqual([...models.keys()], ["mnist"]);
  assert.deepEqual([...classifiers.keys()], ["c1"]);
});

test("only classifiers of the same shape, SDE, noise and classes can guide a model", () => {
  const fitting = classifiersFor(mnist, [
    clf("same"),
    clf("other-shape", { dataShape: [3, 32, 32] }),
    clf("other-sde", { sde: "ve" }),
    clf("other-noise", { metadata: { ...sde, "scorestream.sde.beta_max": "10" } }),
    clf("other-classes", { numClasses: 9 }),
  ]);
  assert.deepEqual(
    fitting.map((c) => c.name),
    ["same"],
  );
  const unconditional = { ...mnist, numClasses: 0 };
  assert.equal(classifiersFor(unconditional, [clf("nine", { numClasses: 9 })]).length, 1);
});

test("a model's facts leave out what it does not say, and an untrained step", () => {
  const facts = modelFacts({
    ...mnist,
    version: 3,
    versions: [2, 3],
    metadata: { "scorestream.eps": "1e-5", "scorestream.train_step": "-1" },
  });
  assert.deepEqual(facts, [
    ["SDE", "vp"],
    ["shape", "1 × 28 × 28"],
    ["version", "3 (2 served)"],
    ["classes", "10"],
    ["eps", "1e-5"],
  ]);
});

test("a conditional model's samples are measured only when their labels are known", () => {
  assert.ok(!canMeasure({}, mnist));
  assert.ok(canMeasure({ labels: ["1"] }, mnist));
  assert.ok(canMeasure({}, { ...mnist, numClasses: 0 }));
  assert.ok(!canMeasure({ labels: ["1"] }, undefined));
});

test("a walk needs both ends in one class", () => {
  assert.ok(canWalk({}, { ...mnist, numClasses: 0 }));
  assert.ok(canWalk({ labels: ["3"] }, mnist));
  assert.ok(canWalk({ labels: ["3", "3", "4"] }, mnist));
  assert.ok(!canWalk({ labels: ["3", "4"] }, mnist));
  assert.ok(!canWalk({}, mnist));
  assert.ok(!canWalk({}, undefined));
});
