// The page's view of jobs: what the gateway's job JSON and the socket's events make of a job, and how a job is
// described. Pure: no page, no network.

export const FINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

/** The view of a job from the gateway's job JSON (GET /v1/jobs, a socket's "state" event), over an older view. */
export function jobFrom(json, old) {
  const job = old || { id: json.jobId, lastEventId: null, preview: null, result: null };
  const summary = json.summary || {};
  job.model = json.modelName;
  job.status = json.status || "QUEUED";
  job.task = summary.task || job.task || "";
  job.samples = summary.numSamples || job.samples || 0;
  job.submittedAt = summary.submittedAt;
  job.guidance = summary.guidance || job.guidance;
  const progress = json.progress || {};
  job.step = progress.step || job.step || 0;
  job.total = progress.totalSteps || job.total || 0;
  job.nfe = Number((json.result && json.result.nfe) || progress.nfe || job.nfe || 0);
  if (job.status === "SUCCEEDED") job.step = job.total;
  job.etaMs = json.queue ? json.queue.etaMs : progress.etaMs;
  job.position = json.queue ? json.queue.position : undefined;
  if (json.failure) job.failure = json.failure;
  return job;
}

/**
 * Puts a job's JSON into the map of views by job id; false (and nothing changed) when it is an older view of a job
 * that has ended, as a listing fetched before the job's end can be.
 */
export function upsert(jobs, json) {
  const old = jobs.get(json.jobId);
  if (old && FINAL.has(old.status) && !FINAL.has(json.status || "")) return false;
  jobs.set(json.jobId, jobFrom(json, old));
  return true;
}

/**
 * Applies one of a job's socket events (started, progress, completed, failed, cancelled) to its view; returns
 * whether the event ended the job. A progress event's preview points are decoded by the caller (`points`).
 */
export function applyEvent(job, message, points) {
  job.lastEventId = message.id;
  const data = message.data || {};
  switch (message.event) {
    case "started":
      job.status = "RUNNING";
      job.position = undefined;
      return false;
    case "progress": {
      const p = data.progress || {};
      job.status = "RUNNING";
      job.step = p.step || 0;
      job.total = p.totalSteps || job.total;
      job.nfe = Number(p.nfe || 0);
      job.etaMs = p.etaMs;
      job.t = p.t;
      if (p.preview && points) job.preview = { points: points(p.preview) };
      return false;
    }
    case "completed":
      job.status = "SUCCEEDED";
      if (data.completed.unit) job.task = "likelihood";
      job.nfe = Number(data.completed.nfe || job.nfe);
      job.step = job.total;
      return true;
    case "failed":
      job.status = "FAILED";
      job.failure = data.failed;
      return true;
    case "cancelled":
      job.status = "CANCELLED";
      return true;
    default:
      return false;
  }
}

/** Newest first (by submission time, then id). */
export function sortedJobs(jobs) {
  return [...jobs].sort(
    (a, b) =>
      String(b.submittedAt || "").localeCompare(String(a.submittedAt || "")) ||
      b.id.localeCompare(a.id),
  );
}

/** A duration in milliseconds as "4.2 s", "42 s" or "3 min 5 s"; "" for none. */
export function seconds(ms) {
  if (ms === undefined || ms === null) return "";
  const s = Number(ms) / 1000;
  return s < 60
    ? s.toFixed(s < 10 ? 1 : 0) + " s"
    : Math.floor(s / 60) + " min " + Math.round(s % 60) + " s";
}

/** A likelihood {mean, se, unit} as "0.912 ± 0.004 bits/dim" (bits/dim to 3 places, nats to 2). */
export function describeLikelihood(l) {
  const digits = l.unit === "bits/dim" ? 3 : 2;
  return (
    Number(l.mean).toFixed(digits) +
    (l.se !== undefined && l.se !== null ? " ± " + Number(l.se).toFixed(digits) : "") +
    " " +
    l.unit
  );
}

/** The line under a job in the list: its place in the queue, its failure, or what it runs and how far it is. */
export function jobDetail(job) {
  if (job.status === "QUEUED") {
    return (
      "queued" +
      (job.position !== undefined ? ", " + job.position + " ahead" : "") +
      (job.etaMs !== undefined ? ", done in ~" + seconds(job.etaMs) : "")
    );
  }
  if (job.status === "FAILED")
    return (job.failure && job.failure.code + ": " + job.failure.reason) || "failed";
  const parts = [
    job.samples +
      (job.task ? " examples, " + job.task : job.walkOf ? " steps of a walk" : " samples"),
  ];
  if (job.guidance) {
    parts.push(
      "guided by " +
        job.guidance.classifier +
        " ×" +
        (job.guidance.scale !== undefined ? job.guidance.scale : 1),
    );
  }
  if (job.likelihood) parts.push(describeLikelihood(job.likelihood));
  if (job.total > 0) {
    parts.push("step " + job.step + "/" + job.total);
  } else if (job.step > 0) {
    parts.push("step " + job.step); // an adaptive solver knows no step count ahead
  }
  if (job.nfe) parts.push(job.nfe.toLocaleString() + " NFE");
  if (job.status === "RUNNING" && job.etaMs !== undefined) parts.push("ETA " + seconds(job.etaMs));
  return parts.join(" · ");
}

/** How far a job is, in percent: 100 once it succeeded, else its step over its steps (0 when unknown). */
export function progressPercent(job) {
  if (job.status === "SUCCEEDED") return 100;
  return job.total > 0 ? Math.min(100, (100 * job.step) / job.total) : 0;
}
