// What the page does with finished jobs: loads their samples to draw, measures their likelihood, and walks between
// two of their samples (an encode job, then an ODE job that decodes the walk).
import { resultPath } from "./api.js";
import { isImageShape } from "./models.js";
import { decodeRequest, likelihoodRequest, walkRequest } from "./requests.js";
import { apiJson, api, modelOf, modelShape, state } from "./session.js";
import { showError } from "./errors.js";
import { renderJobs, select, upsertJob } from "./joblist.js";
import { follow } from "./stream.js";
import * as viewer from "./viewer.js";

/** A finished job's samples: points from the JSON result, images from the PNG grid; a likelihood's figures. */
export async function loadResult(job) {
  try {
    if (job.task === "likelihood") {
      const json = await apiJson("GET", resultPath(job.id, "json"));
      job.likelihood = {
        mean: json.mean,
        se: json.meanStandardError,
        unit: json.unit,
        values: json.values,
        errors: json.standardErrors,
      };
      noteLikelihood(job);
      return;
    }
    if (job.task === "encode" && job.walkFor && !job.walkDecoded) {
      job.walkDecoded = true;
      decodeWalk(job);
    }
    if (job.task) return; // codes are numbers in model space: downloaded, not drawn
    if (isImageShape(modelShape(job.model))) {
      const response = await api("GET", resultPath(job.id, "png"));
      job.result = { image: await createImageBitmap(await response.blob()) };
    } else {
      const json = await apiJson("GET", resultPath(job.id, "json"));
      job.result = { points: json.samples.map((row) => row.slice(0, 2)) };
    }
    if (state.selected === job.id) viewer.show(job);
  } catch (e) {
    if (e.code !== "result_gone") showError(e, "result");
  }
}

/** True when a job's model is class-conditional (a guided job's labels were for its classifier, not its model). */
function conditional(job) {
  return Boolean((modelOf(job) || {}).numClasses);
}

/** Submits a likelihood job over a finished job's samples (see requests.js, likelihoodRequest). */
export async function measureLikelihood(job) {
  try {
    const json = await apiJson("GET", resultPath(job.id, "json"));
    const image = isImageShape(modelShape(job.model));
    const labels = job.labels && conditional(job) ? job.labels : undefined;
    const made = await apiJson(
      "POST",
      "/v1/jobs",
      likelihoodRequest(job.model, json, image, labels),
    );
    upsertJob(made);
    const measured = state.jobs.get(made.jobId);
    measured.task = "likelihood";
    measured.source = job.id;
    follow(made.jobId);
    renderJobs();
  } catch (e) {
    showError(e, "likelihood");
  }
}

/** Starts a walk between a finished job's first two samples: the encode job; its end decodes the walk. */
export async function walk(job) {
  try {
    const json = await apiJson("GET", resultPath(job.id, "json"));
    const label = job.labels && conditional(job) ? job.labels[0] : undefined;
    const made = await apiJson("POST", "/v1/jobs", walkRequest(job.model, json, label));
    upsertJob(made);
    const encoding = state.jobs.get(made.jobId);
    encoding.task = "encode";
    encoding.walkFor = job.id;
    if (conditional(job)) encoding.labels = job.labels;
    follow(made.jobId);
  } catch (e) {
    showError(e, "walk");
  }
}

/** Decodes a finished walk's codes with the probability-flow ODE: the walk, drawn as any job's samples. */
async function decodeWalk(encoding) {
  try {
    const json = await apiJson("GET", resultPath(encoding.id, "json"));
    const label = encoding.labels ? encoding.labels[0] : undefined;
    const made = await apiJson("POST", "/v1/jobs", decodeRequest(encoding.model, json, label));
    upsertJob(made);
    state.jobs.get(made.jobId).walkOf = encoding.walkFor;
    select(made.jobId);
    follow(made.jobId);
  } catch (e) {
    showError(e, "walk");
  }
}

/** Shows a finished likelihood job's figure on the job it measured too. */
function noteLikelihood(job) {
  const source = job.source && state.jobs.get(job.source);
  if (source) source.likelihood = job.likelihood;
  renderJobs();
  if (state.selected === job.id || (source && state.selected === source.id)) {
    viewer.show(state.jobs.get(state.selected));
  }
}
