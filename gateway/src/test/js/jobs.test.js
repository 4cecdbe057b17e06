import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyEvent,
  describeLikelihood,
  jobDetail,
  jobFrom,
  progressPercent,
  seconds,
  sortedJobs,
  upsert,
} from "../../main/resources/webroot/js/jobs.js";

const queued = {
  jobId: "j1",
  modelName: "gmm-vp",
  status: "QUEUED",
  summary: { numSamples: 64, submittedAt: "2026-12-03T10:00:00Z" },
  queue: { position: 2, etaMs: 4200 },
};

test("a queued job's view says its place in the queue and when it should be done", () => {
  const job = jobFrom(queued);
  assert.equal(job.id, "j1");
  assert.equal(job.samples, 64);
  assert.equal(jobDetail(job), "queued, 2 ahead, done in ~4.2 s");
});

test("a newer listing of a job updates its view in place", () => {
  const jobs = new Map();
  assert.ok(upsert(jobs, queued));
  const view = jobs.get("j1");
  const running = {
    ...queued,
    status: "RUNNING",
    queue: undefined,
    progress: { step: 5, totalSteps: 10 },
  };
  assert.ok(upsert(jobs, running));
  assert.equal(jobs.get("j1"), view);
  assert.equal(view.status, "RUNNING");
  assert.equal(view.position, undefined);
  assert.equal(progressPercent(view), 50);
});

test("an older listing does not bring an ended job back to life", () => {
  const jobs = new Map();
  upsert(jobs, { ...queued, status: "SUCCEEDED", progress: { totalSteps: 10 } });
  assert.equal(upsert(jobs, queued), false);
  assert.equal(jobs.get("j1").status, "SUCCEEDED");
  assert.equal(progressPercent(jobs.get("j1")), 100);
});

test("progress events move the job on and decode its preview", () => {
  const job = jobFrom(queued);
  const message = {
    id: "7",
    event: "progress",
    data: { progress: { step: 30, totalSteps: 120, nfe: "60", etaMs: 900, t: 0.25, preview: "P" } },
  };
  const ended = applyEvent(job, message, (tensor) => [[tensor, 0]]);
  assert.equal(ended, false);
  assert.equal(job.status, "RUNNING");
  assert.equal(job.lastEventId, "7");
  assert.deepEqual([job.step, job.total, job.nfe, job.etaMs, job.t], [30, 120, 60, 900, 0.25]);
  assert.deepEqual(job.preview, { points: [["P", 0]] });
  assert.equal(progressPercent(job), 25);
  assert.equal(jobDetail(job), "64 samples · step 30/120 · 60 NFE · ETA 0.9 s");
});

test("a progress event whose preview came as a picture keeps the points decoder out", () => {
  const job = jobFrom(queued);
  applyEvent(
    job,
    { id: "1", event: "progress", data: { progress: { step: 1, preview: "P" } } },
    null,
  );
  assert.equal(job.preview, null);
});

test("completed, failed and cancelled end the job; started does not", () => {
  const started = jobFrom(queued);
  assert.equal(applyEvent(started, { id: "1", event: "started" }), false);
  assert.equal(started.status, "RUNNING");
  assert.equal(started.position, undefined);

  const done = jobFrom({ ...queued, progress: { totalSteps: 50 } });
  assert.ok(applyEvent(done, { id: "2", event: "completed", data: { completed: { nfe: "100" } } }));
  assert.deepEqual([done.status, done.step, done.nfe], ["SUCCEEDED", 50, 100]);

  const failed = jobFrom(queued);
  const failure = { code: "non_finite", reason: "NaN at step 3" };
  assert.ok(applyEvent(failed, { id: "3", event: "failed", data: { failed: failure } }));
  assert.equal(jobDetail(failed), "non_finite: NaN at step 3");

  const cancelled = jobFrom(queued);
  assert.ok(applyEvent(cancelled, { id: "4", event: "cancelled" }));
  assert.equal(cancelled.status, "CANCELLED");
});

test("a completed event with a unit is a likelihood job's", () => {
  const job = jobFrom(queued);
  applyEvent(job, {
    id: "9",
    event: "completed",
    data: { completed: { unit: "bits/dim", nfe: "4" } },
  });
  assert.equal(job.task, "likelihood");
});

test("jobs list newest first, then by id", () => {
  const a = { id: "a", submittedAt: "2026-12-03T10:00:00Z" };
  const b = { id: "b", submittedAt: "2026-12-03T11:00:00Z" };
  const c = { id: "c", submittedAt: "2026-12-03T10:00:00Z" };
  assert.deepEqual(
    sortedJobs([a, b, c]).map((j) => j.id),
    ["b", "c", "a"],
  );
});

test("durations read as seconds, then minutes and seconds", () => {
  assert.equal(seconds(undefined), "");
  assert.equal(seconds(4210), "4.2 s");
  assert.equal(seconds(42000), "42 s");
  assert.equal(seconds(185000), "3 min 5 s");
});

test("likelihoods keep three places in bits per dimension and two in nats", () => {
  assert.equal(
    describeLikelihood({ mean: 0.91234, se: 0.0041, unit: "bits/dim" }),
    "0.912 ± 0.004 bits/dim",
  );
  assert.equal(describeLikelihood({ mean: -2.5, se: null, unit: "nats" }), "-2.50 nats");
});

test("a guided, measured job says so in its detail", () => {
  const job = jobFrom({
    ...queued,
    status: "SUCCEEDED",
    summary: { numSamples: 16, guidance: { classifier: "mnist-clf", scale: 2 } },
    progress: { totalSteps: 100 },
  });
  job.likelihood = { mean: 1.2, se: 0.01, unit: "bits/dim" };
  assert.equal(
    jobDetail(job),
    "16 samples · guided by mnist-clf ×2 · 1.200 ± 0.010 bits/dim · step 100/100",
  );
});
