import { test } from "node:test";
import assert from "node:assert/strict";
import {
  WALK_STEPS,
  decodeRequest,
  fieldInput,
  likelihoodRequest,
  requestLabels,
  sampleRequest,
  walkRequest,
} from "../../main/resources/webroot/js/requests.js";
import { float32Values } from "../../main/resources/webroot/js/tensors.js";

const form = { model: "gmm-vp", kind: "PC", samples: 4, classes: 1, task: "sample" };

test("an empty form asks for the model's defaults", () => {
  assert.deepEqual(sampleRequest(form), {
    modelName: "gmm-vp",
    numSamples: 4,
    sampler: { kind: "PC" },
  });
});

test("PC fields go with PC, the solver with ODE", () => {
  const pc = sampleRequest({
    ...form,
    steps: 500,
    predictor: "reverse_diffusion",
    snr: 0.16,
    solver: "rk45",
  });
  assert.deepEqual(pc.sampler, {
    kind: "PC",
    steps: 500,
    predictor: "reverse_diffusion",
    snr: 0.16,
  });
  const ode = sampleRequest({ ...form, kind: "ODE", snr: 0.16, solver: "rk45" });
  assert.deepEqual(ode.sampler, { kind: "ODE", odeSolver: "rk45" });
});

test("DPM-Solver's order and stochastic variant go with DPM-Solver alone", () => {
  const dpm = sampleRequest({
    ...form,
    kind: "DPM_SOLVER",
    steps: 20,
    order: 3,
    stochastic: false,
    snr: 0.2,
  });
  assert.deepEqual(dpm.sampler, { kind: "DPM_SOLVER", steps: 20, order: 3 });
  const sde = sampleRequest({ ...form, kind: "DPM_SOLVER", stochastic: true });
  assert.deepEqual(sde.sampler, { kind: "DPM_SOLVER", stochastic: true });
  const pc = sampleRequest({ ...form, order: 3, stochastic: true });
  assert.deepEqual(pc.sampler, { kind: "PC" });
});

test("the adaptive sampler's tolerance goes with it alone", () => {
  const adaptive = sampleRequest({ ...form, kind: "ADAPTIVE", steps: 500, rtol: 0.02, order: 3 });
  assert.deepEqual(adaptive.sampler, { kind: "ADAPTIVE", steps: 500, rtol: 0.02 });
  const dpm = sampleRequest({ ...form, kind: "DPM_SOLVER", rtol: 0.02 });
  assert.deepEqual(dpm.sampler, { kind: "DPM_SOLVER" });
});

test("the seed goes as a string and previews are throttled", () => {
  const request = sampleRequest({ ...form, seed: 12345678901, preview: 10 });
  assert.equal(request.seed, "12345678901");
  assert.deepEqual(request.preview, { everySteps: 10, maxPerSecond: 20 });
});

test("with no class given, a conditional model's samples go through every class in turn", () => {
  const request = sampleRequest({ ...form, samples: 5, labels: true, classes: 3 });
  assert.deepEqual(requestLabels(request), ["0", "1", "2", "0", "1"]);
  const one = sampleRequest({ ...form, samples: 5, labels: true, classes: 3, label: 2 });
  assert.deepEqual(requestLabels(one), ["2"]);
});

test("guidance names the classifier and its scale", () => {
  const request = sampleRequest({ ...form, classifier: "clf", guidanceScale: 2.5 });
  assert.deepEqual(request.guidance, { classifier: "clf", scale: 2.5 });
});

test("an inpainting job carries its problem, particles and labels", () => {
  const request = sampleRequest({
    ...form,
    task: "inpaint",
    problem: { known: "K", mask: "M" },
    particles: 4,
    labels: true,
    label: 7,
    classes: 10,
  });
  assert.deepEqual(request.conditioning, {
    inpainting: { known: "K", mask: "M", particles: 4, labels: ["7"] },
  });
  assert.equal(requestLabels(request), undefined);
});

test("a colorization job carries its grey picture", () => {
  const request = sampleRequest({ ...form, task: "colorize", problem: { gray: "G" } });
  assert.deepEqual(request.conditioning, { colorization: { gray: "G" } });
});

test("image samples are measured at 8-bit levels in the exact trace when small", () => {
  const result = {
    shape: [2, 1, 2, 2],
    samples: [
      [
        [
          [0.1, 1.2],
          [-0.3, 0.5],
        ],
      ],
      [
        [
          [0, 1],
          [0.25, 0.75],
        ],
      ],
    ],
  };
  const request = likelihoodRequest("mnist", result, true, ["1", "2"]);
  assert.equal(request.numSamples, 2);
  assert.equal(request.likelihood.exact, true);
  const levels = [...float32Values(request.likelihood.data)];
  const expected = [26 / 255, 1, 0, 128 / 255, 0, 1, 64 / 255, 191 / 255];
  levels.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-7, "level " + i));
  assert.deepEqual(request.conditioning, { classLabels: { labels: ["1", "2"] } });
});

test("large data is measured with two Hutchinson probes", () => {
  const samples = [Array.from({ length: 65 }, () => 0)];
  const request = likelihoodRequest("big", { shape: [1, 65], samples }, false, undefined);
  assert.equal(request.likelihood.probes, 2);
  assert.equal(request.likelihood.exact, undefined);
  assert.equal(request.conditioning, undefined);
});

test("a walk encodes the first two samples and asks for the steps between them", () => {
  const result = {
    shape: [3, 2],
    samples: [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
  };
  const request = walkRequest("gmm", result, "4");
  assert.deepEqual(request.encode.data.shape, ["2", "2"]);
  assert.deepEqual([...float32Values(request.encode.data)], [1, 2, 3, 4]);
  assert.equal(request.encode.interpolate, WALK_STEPS);
  assert.deepEqual(request.conditioning, { classLabels: { labels: ["4"] } });
});

test("a walk's codes are decoded by the ODE from those codes, every step previewed", () => {
  const result = {
    shape: [2, 2],
    samples: [
      [1, 2],
      [3, 4],
    ],
  };
  const request = decodeRequest("gmm", result, undefined);
  assert.equal(request.sampler.kind, "ODE");
  assert.equal(request.sampler.denoise, false);
  assert.deepEqual([...float32Values(request.sampler.latent)], [1, 2, 3, 4]);
  assert.deepEqual(request.preview, { everySteps: 1 });
  assert.equal(request.conditioning, undefined);
});

test("an error's field finds its form control, the most specific name first", () => {
  assert.equal(fieldInput("sampler.snr"), "#snr");
  assert.equal(fieldInput("conditioning.inpainting.particles"), "#particles");
  assert.equal(fieldInput("conditioning.inpainting.mask"), "#mask-source");
  assert.equal(fieldInput("conditioning.classLabels.labels[0]"), "#label");
  assert.equal(fieldInput("webhook.url"), null);
});
