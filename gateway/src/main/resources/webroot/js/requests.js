// The job requests the page submits (POST /v1/jobs, protobuf JSON names), built from plain values. Pure.
import { float32Tensor } from "./tensors.js";

/** The fewest values per sample the adaptive sampler takes (the server's Samplers.ADAPTIVE_MIN_VALUES). */
export const ADAPTIVE_MIN_VALUES = 32;

/** How many steps a walk between two samples takes (the encode job interpolates on the great circle). */
export const WALK_STEPS = 8;

/**
 * A sampling or inverse-problem request from the form's values: {model, kind, steps, predictor, corrector, snr,
 * solver, order, stochastic, rtol, samples, seed, preview, labels: shown?, label, classes, classifier, guidanceScale, task, problem,
 * particles}; numbers are undefined when left empty. With labels shown and no class given, the samples go through
 * every class in turn (a conditional model needs a label per sample).
 */
export function sampleRequest(form) {
  const sampler = { kind: form.kind };
  if (form.steps !== undefined) sampler.steps = form.steps;
  if (form.kind === "PC") {
    if (form.predictor) sampler.predictor = form.predictor;
    if (form.corrector) sampler.corrector = form.corrector;
    if (form.snr !== undefined) sampler.snr = form.snr;
  }
  if (form.kind === "ODE" && form.solver) sampler.odeSolver = form.solver;
  if (form.kind === "DPM_SOLVER") {
    if (form.order !== undefined) sampler.order = form.order;
    if (form.stochastic) sampler.stochastic = true;
  }
  if (form.kind === "ADAPTIVE" && form.rtol !== undefined) sampler.rtol = form.rtol;
  const request = { modelName: form.model, numSamples: form.samples, sampler };
  if (form.seed !== undefined) request.seed = String(form.seed);
  if (form.preview) request.preview = { everySteps: form.preview, maxPerSecond: 20 };
  let labels = null;
  if (form.labels) {
    labels = (
      form.label !== undefined
        ? [form.label]
        : Array.from({ length: form.samples || 1 }, (_, i) => i % form.classes)
    ).map(String);
    request.conditioning = { classLabels: { labels } };
  }
  if (form.classifier) {
    request.guidance = { classifier: form.classifier };
    if (form.guidanceScale !== undefined) request.guidance.scale = form.guidanceScale;
  }
  if (form.task === "inpaint" || form.task === "colorize") {
    const problem = { ...form.problem };
    if (form.particles !== undefined) problem.particles = form.particles;
    if (labels) problem.labels = labels;
    request.conditioning =
      form.task === "inpaint" ? { inpainting: problem } : { colorization: problem };
  }
  return request;
}

/** The labels a request conditions on, or undefined. */
export function requestLabels(request) {
  return request.conditioning && request.conditioning.classLabels
    ? request.conditioning.classLabels.labels
    : undefined;
}

/**
 * A likelihood job over a finished job's samples (its JSON result {shape, samples}): image samples are first
 * rounded to 8-bit levels (what a picture of them holds); the trace is exact where that is cheap (dimension <= 64),
 * else two Hutchinson probes. `labels` for a class-conditional model, else undefined.
 */
export function likelihoodRequest(modelName, result, image, labels) {
  let values = result.samples.flat(Infinity);
  if (image) values = values.map((v) => Math.round(255 * Math.max(0, Math.min(1, v))) / 255);
  const dimension = result.shape.slice(1).reduce((a, b) => a * b, 1);
  const likelihood = { data: float32Tensor(result.shape, values) };
  if (dimension <= 64) likelihood.exact = true;
  else likelihood.probes = 2;
  const request = { modelName, numSamples: result.samples.length, likelihood };
  if (labels) request.conditioning = { classLabels: { labels } };
  return request;
}

/** An encode job that turns a result's first two samples into codes and WALK_STEPS codes between them. */
export function walkRequest(modelName, result, label) {
  const request = {
    modelName,
    numSamples: 2,
    encode: {
      data: float32Tensor([2, ...result.shape.slice(1)], result.samples.slice(0, 2).flat(Infinity)),
      interpolate: WALK_STEPS,
    },
  };
  if (label !== undefined) request.conditioning = { classLabels: { labels: [label] } };
  return request;
}

/** A probability-flow ODE job that decodes an encode job's codes (its JSON result), previewing every step. */
export function decodeRequest(modelName, result, label) {
  const request = {
    modelName,
    numSamples: result.samples.length,
    sampler: {
      kind: "ODE",
      denoise: false,
      latent: float32Tensor(result.shape, result.samples.flat(Infinity)),
    },
    preview: { everySteps: 1 },
  };
  if (label !== undefined) request.conditioning = { classLabels: { labels: [label] } };
  return request;
}

const FIELD_INPUTS = {
  numSamples: "#samples",
  seed: "#seed",
  "sampler.steps": "#steps",
  "sampler.snr": "#snr",
  modelName: "#model",
  "preview.everySteps": "#preview",
  "conditioning.inpainting.particles": "#particles",
  "conditioning.colorization.particles": "#particles",
  "conditioning.inpainting": "#mask-source",
  "conditioning.colorization": "#gray-file",
  conditioning: "#label",
  "guidance.scale": "#guidance-scale",
  guidance: "#classifier",
};

/** The form control (a selector) for the request field an error names, e.g. "sampler.snr"; null for none. */
export function fieldInput(field) {
  const name = Object.keys(FIELD_INPUTS).find((prefix) => field.startsWith(prefix));
  return name ? FIELD_INPUTS[name] : null;
}
