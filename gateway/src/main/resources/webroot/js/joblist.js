// The job list: a row per job, newest first, each redrawn only when what it shows changed; selection by click or
// keyboard; the row's actions (cancel, downloads, likelihood, walk).
import { FINAL, jobDetail, progressPercent, sortedJobs, upsert } from "./jobs.js";
import { canMeasure, canWalk, isImageShape } from "./models.js";
import { resultPath } from "./api.js";
import { $, api, apiJson, modelOf, modelShape, state } from "./session.js";
import { showError } from "./errors.js";
import { follow } from "./stream.js";
import { loadResult, measureLikelihood, walk } from "./results.js";
import * as viewer from "./viewer.js";

/** Takes in a job's JSON and redraws the list when it changed what the page knew. */
export function upsertJob(json) {
  if (upsert(state.jobs, json)) renderJobs();
}

/** Fetches the newest jobs, follows those still running, and selects the newest when none is. */
export async function refreshJobs() {
  if (!state.key) return;
  try {
    const { jobs } = await apiJson("GET", "/v1/jobs?limit=50");
    for (const json of jobs) upsertJob(json);
    for (const json of jobs) if (!FINAL.has(json.status)) follow(json.jobId);
    if (!state.selected && jobs.length) select(jobs[0].jobId);
  } catch (e) {
    showError(e, "jobs");
  }
}

/** Updates the job list in place: a row per job, newest first, each redrawn only when what it shows changed. */
export function renderJobs() {
  const list = $("#jobs");
  const rows = new Map([...list.children].map((li) => [li.dataset.jobId, li]));
  sortedJobs(state.jobs.values()).forEach((job, i) => {
    let row = rows.get(job.id);
    if (!row) {
      row = document.createElement("li");
      row.className = "job";
      row.tabIndex = 0;
      row.dataset.jobId = job.id;
      row.onclick = () => select(job.id);
    }
    fillRow(row, job);
    if (list.children[i] !== row) list.insertBefore(row, list.children[i] || null);
  });
}

function fillRow(row, job) {
  row.setAttribute("aria-selected", String(job.id === state.selected));
  const image = isImageShape(modelShape(job.model));
  const signature = [job.status, jobDetail(job), progressPercent(job), image].join("|");
  if (row.dataset.signature === signature) return;
  row.dataset.signature = signature;
  row.dataset.status = job.status.toLowerCase();
  const title = document.createElement("div");
  title.className = "title";
  const status = document.createElement("span");
  status.className = "status " + job.status.toLowerCase();
  status.textContent = job.status.toLowerCase();
  title.append(status, " ", job.model, " ", job.id);
  const detail = document.createElement("div");
  detail.className = "detail";
  detail.textContent = jobDetail(job);
  const meter = document.createElement("div");
  meter.className = "meter";
  const bar = document.createElement("div");
  bar.style.width = progressPercent(job) + "%";
  meter.append(bar);
  const focused =
    row.contains(document.activeElement) && document.activeElement !== row
      ? document.activeElement.dataset.action
      : null;
  row.replaceChildren(title, actions(job, image), detail, meter);
  if (focused) {
    const again = row.querySelector('[data-action="' + focused + '"]');
    (again || row).focus();
  }
}

function actions(job, image) {
  const box = document.createElement("div");
  box.className = "actions";
  if (!FINAL.has(job.status)) box.append(button("Cancel", "cancel", () => cancel(job.id)));
  if (job.status === "SUCCEEDED") {
    for (const format of image && !job.task ? ["png", "npy", "json"] : ["npy", "json"]) {
      box.append(button(format, "download", () => download(job.id, format)));
    }
    const model = modelOf(job);
    if (!job.task && canMeasure(job, model)) {
      box.append(button("likelihood", "likelihood", () => measureLikelihood(job)));
    }
    if (!job.task && job.samples >= 2 && canWalk(job, model)) {
      box.append(button("walk", "walk", () => walk(job)));
    }
  }
  return box;
}

function button(text, kind, onclick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "small";
  b.textContent = text;
  b.dataset.action = kind;
  b.onclick = (event) => {
    event.stopPropagation();
    onclick();
  };
  return b;
}

export async function cancel(jobId) {
  try {
    await api("DELETE", "/v1/jobs/" + encodeURIComponent(jobId));
  } catch (e) {
    showError(e, "cancel");
  }
}

export async function download(jobId, format) {
  try {
    const response = await api("GET", resultPath(jobId, format));
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = jobId + "." + format;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    showError(e, "download");
  }
}

/** Selects a job: marks its row, loads its result once it has one, follows it while it runs, and shows it. */
export function select(jobId) {
  state.selected = jobId;
  for (const item of document.querySelectorAll(".job")) {
    item.setAttribute("aria-selected", String(item.dataset.jobId === jobId));
  }
  const job = state.jobs.get(jobId);
  if (job && job.status === "SUCCEEDED" && !job.result && !job.likelihood) loadResult(job);
  if (job && !FINAL.has(job.status)) follow(jobId);
  viewer.show(job);
}

/** Selects the job delta rows below (above, when negative) the selected one, and focuses its row. */
export function moveSelection(delta) {
  const jobs = sortedJobs(state.jobs.values());
  if (!jobs.length) return;
  const at = jobs.findIndex((j) => j.id === state.selected);
  const next = jobs[Math.max(0, Math.min(jobs.length - 1, at + delta))];
  select(next.id);
  const item = document.querySelector('.job[data-job-id="' + CSS.escape(next.id) + '"]');
  if (item) item.focus();
}
