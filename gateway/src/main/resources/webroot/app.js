// The ScoreStream dashboard: one page over the gateway's API (fetch for requests, one WebSocket at /v1/stream for
// every followed job's events). No framework, no build step: what the gateway serves is what runs.
"use strict";

const $ = (selector) => document.querySelector(selector);
const FINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
const KEY_STORE = "scorestream.apiKey";
const MAX_FOLLOWED = 50;

const state = {
  key: null,
  models: new Map(), // name -> score model (newest version) as /v1/models gives it
  classifiers: new Map(), // name -> noise-conditional classifier (kind "classifier"), which guides score models
  jobs: new Map(), // jobId -> job view (see jobFrom)
  selected: null,
  socket: null,
  socketOpen: false,
  followed: new Set(), // jobs subscribed on the current socket
  retryMs: 1000,
};

// ------------------------------------------------------------------------------------------------ API and errors

class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + state.key };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "unreachable", "the gateway did not answer (" + e.message + ")");
  }
  if (response.ok) {
    return response.status === 204 ? null : response;
  }
  let error = { code: "http_" + response.status, message: response.statusText };
  try {
    error = (await response.json()).error || error;
  } catch (e) {
    /* not JSON: keep the status line */
  }
  if (response.status === 401) signedOut(error.message);
  const retry = response.headers.get("Retry-After");
  throw new ApiError(
    response.status,
    error.code,
    error.message + (retry ? " (retry in " + retry + " s)" : ""),
    error.field,
  );
}

async function apiJson(method, path, body) {
  const response = await api(method, path, body);
  return response === null ? null : response.json();
}

/** Shows an error until dismissed (or, for background refreshes, until the same error is shown again). */
function showError(error, context) {
  const box = $("#errors");
  const key = (context || "") + "|" + (error.code || "") + "|" + error.message;
  for (const old of box.children) if (old.dataset.key === key) old.remove();
  const item = document.createElement("div");
  item.className = "error";
  item.dataset.key = key;
  const text = document.createElement("p");
  const code = document.createElement("code");
  code.textContent = error.code || "error";
  text.append(
    code,
    " ",
    (context ? context + ": " : "") + error.message + (error.field ? " [" + error.field + "]" : ""),
  );
  const close = document.createElement("button");
  close.className = "small ghost";
  close.textContent = "×";
  close.setAttribute("aria-label", "Dismiss");
  close.onclick = () => item.remove();
  item.append(text, close);
  box.append(item);
  while (box.children.length > 4) box.firstElementChild.remove();
}

// ------------------------------------------------------------------------------------------------ the API key

function useKey(key) {
  state.key = key;
  localStorage.setItem(KEY_STORE, key);
  $("#api-key").value = "";
  $("#api-key").placeholder = "key set (…" + key.slice(-4) + ")";
  connect();
  refreshModels();
  refreshJobs();
  refreshFleet();
}

function signedOut(message) {
  state.key = null;
  localStorage.removeItem(KEY_STORE);
  setConnection("off", "signed out");
  if (state.socket) state.socket.close();
  $("#api-key").placeholder = "ss_…";
  $("#api-key").focus();
  if (message) showError({ code: "unauthorized", message });
}

function initialKey() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("key")) {
    history.replaceState(null, "", location.pathname + location.search); // keep the key out of the history
    return hash.get("key");
  }
  return localStorage.getItem(KEY_STORE);
}

// ------------------------------------------------------------------------------------------------ models and form

async function refreshModels() {
  if (!state.key) return;
  try {
    const { models } = await apiJson("GET", "/v1/models");
    const select = $("#model");
    const previous = select.value;
    state.models = new Map(models.filter((m) => m.kind !== "classifier").map((m) => [m.name, m]));
    const classifiers = models.filter((m) => m.kind === "classifier");
    const classifiersChanged =
      classifiers.map((c) => c.name + ":" + c.version).join() !==
      [...state.classifiers.values()].map((c) => c.name + ":" + c.version).join();
    state.classifiers = new Map(classifiers.map((c) => [c.name, c]));
    if (classifiersChanged) showGuidance();
    const names = [...state.models.keys()];
    if (names.join() !== [...select.options].map((o) => o.value).join()) {
      select.replaceChildren(
        ...names.map(
          (name) => new Option(name + "  (" + describeShape(state.models.get(name)) + ")", name),
        ),
      );
      select.value = names.includes(previous) ? previous : names[0] || "";
      showModel();
    }
    if (names.length === 0) {
      select.replaceChildren(new Option("no model served yet — start a worker", ""));
    }
  } catch (e) {
    showError(e, "models");
  }
}

function describeShape(model) {
  return (model.sde || "?").toUpperCase() + ", " + (model.dataShape || []).join("×");
}

function isImageShape(shape) {
  return shape.length === 3 && (shape[0] === 1 || shape[0] === 3);
}

function showModel() {
  const model = state.models.get($("#model").value);
  const facts = $("#model-facts");
  facts.replaceChildren();
  if (!model) return;
  const meta = model.metadata || {};
  const rows = [
    ["SDE", model.sde],
    ["shape", (model.dataShape || []).join(" × ")],
    [
      "version",
      model.version +
        (model.versions && model.versions.length > 1
          ? " (" + model.versions.length + " served)"
          : ""),
    ],
    ["classes", model.numClasses ? String(model.numClasses) : "unconditional"],
    ["eps", meta["scorestream.eps"]],
    ["dataset", meta["scorestream.dataset"]],
    [
      "trained",
      meta["scorestream.train_step"] && meta["scorestream.train_step"] !== "-1"
        ? meta["scorestream.train_step"] + " steps"
        : undefined,
    ],
  ];
  for (const [name, value] of rows) {
    if (value === undefined || value === "") continue;
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = value;
    facts.append(dt, dd);
  }
  showGuidance();
  $("#kind").querySelector('option[value="ALD"]').disabled = model.sde !== "ve";
  if (model.sde !== "ve" && $("#kind").value === "ALD") $("#kind").value = "PC";
  $("#samples").value = $("#samples").value || (isImageShape(model.dataShape || []) ? 16 : 256);
  const shape = model.dataShape || [];
  $("#task").querySelector('option[value="inpaint"]').disabled = !isImageShape(shape);
  $("#task").querySelector('option[value="colorize"]').disabled = !(
    isImageShape(shape) && shape[0] === 3
  );
  if ($("#task").selectedOptions[0].disabled) $("#task").value = "sample";
  inpaint.forModel(model.name);
  colorize.forModel(model.name);
  showSamplerFields();
  refreshTraining();
}

/** The classifiers that can guide a model: its data shape, SDE and noise range, and its classes if it has any. */
function classifiersFor(model) {
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const meta = model.metadata || {};
  const noise = (m) =>
    Object.keys(m)
      .filter((k) => k.startsWith("scorestream.sde") || k === "scorestream.data.scaling")
      .sort()
      .map((k) => k + "=" + m[k])
      .join();
  return [...state.classifiers.values()].filter(
    (c) =>
      same(c.dataShape, model.dataShape) &&
      c.sde === model.sde &&
      noise(c.metadata || {}) === noise(meta) &&
      (!model.numClasses || model.numClasses === c.numClasses),
  );
}

/** Offers the classifiers that fit the selected model; a chosen one asks for a class and a scale. */
function showGuidance() {
  const model = state.models.get($("#model").value);
  const select = $("#classifier");
  const previous = select.value;
  const fitting = model ? classifiersFor(model) : [];
  select.replaceChildren(
    new Option("none", ""),
    ...fitting.map((c) => new Option(c.name + "  (" + c.numClasses + " classes)", c.name)),
  );
  select.value = fitting.some((c) => c.name === previous) ? previous : "";
  $("#guidance-fields").hidden = fitting.length === 0;
  showGuided();
}

function showGuided() {
  const model = state.models.get($("#model").value) || {};
  const guided = $("#classifier").value !== "";
  for (const el of document.querySelectorAll(".guided-only")) el.hidden = !guided;
  $("#label-field").hidden = !model.numClasses && !guided;
}

/** How many classes the form's labels range over: the model's, or the guiding classifier's. */
function formClasses(model) {
  const classifier = state.classifiers.get($("#classifier").value);
  return (classifier && classifier.numClasses) || (model && model.numClasses) || 1;
}

// ------------------------------------------------------------------------------------------------ training curves

/** Fetches the selected model's training curve and draws it; a model with none hides the figure. */
async function refreshTraining() {
  const name = $("#model").value;
  if (!state.key || !name) {
    $("#training").hidden = true;
    return;
  }
  try {
    const { points } = await apiJson("GET", "/v1/models/" + encodeURIComponent(name) + "/training");
    if ($("#model").value !== name) return;
    drawTraining(points);
    $("#training").hidden = false;
  } catch (e) {
    if (e.status === 404) {
      $("#training").hidden = true;
    } else {
      showError(e, "training");
    }
  }
}

/** The figure of a checkpoint that the curve plots: sliced W1 for low-dimensional data, else the Fréchet distance. */
function quality(point) {
  if (point.slicedWasserstein !== undefined) return point.slicedWasserstein;
  return point.frechetDistance;
}

/** Loss (line) and checkpoint quality (dots), each on its own log scale, against the step. */
function drawTraining(points) {
  const canvas = $("#training-canvas");
  const g = canvas.getContext("2d");
  const w = canvas.width;
  const h = canvas.height;
  g.clearRect(0, 0, w, h);
  canvas.dataset.points = String(points.length);
  const losses = points.filter((p) => p.loss > 0);
  const measured = points.filter((p) => quality(p) > 0);
  const steps = points.map((p) => Number(p.step));
  const x0 = Math.min(...steps);
  const x1 = Math.max(...steps, x0 + 1);
  const pad = 6;
  const x = (step) => pad + ((w - 2 * pad) * (Number(step) - x0)) / (x1 - x0);
  const scale = (values) => {
    const logs = values.map(Math.log);
    const lo = Math.min(...logs);
    const hi = Math.max(...logs, lo + 1e-9);
    return (v) => h - pad - ((h - 2 * pad) * (Math.log(v) - lo)) / (hi - lo);
  };
  const style = getComputedStyle(document.documentElement);
  if (losses.length) {
    const y = scale(losses.map((p) => p.loss));
    g.strokeStyle = style.getPropertyValue("--accent");
    g.lineWidth = 1.5;
    g.beginPath();
    losses.forEach((p, i) => (i ? g.lineTo(x(p.step), y(p.loss)) : g.moveTo(x(p.step), y(p.loss))));
    g.stroke();
  }
  if (measured.length) {
    const y = scale(measured.map(quality));
    g.fillStyle = style.getPropertyValue("--ok");
    for (const p of measured) {
      g.beginPath();
      g.arc(x(p.step), y(quality(p)), 3, 0, 2 * Math.PI);
      g.fill();
    }
  }
  const caption = $("#training-caption");
  caption.replaceChildren();
  const last = losses[losses.length - 1];
  if (last) {
    const loss = document.createElement("span");
    loss.className = "loss";
    loss.textContent = "loss " + last.loss.toPrecision(3) + " at step " + last.step;
    caption.append(loss);
  }
  const lastMeasured = measured[measured.length - 1];
  if (lastMeasured) {
    const q = document.createElement("span");
    q.className = "quality";
    q.textContent =
      lastMeasured.slicedWasserstein !== undefined
        ? "sliced W1 " +
          lastMeasured.slicedWasserstein.toPrecision(3) +
          " (data to data ≤ " +
          lastMeasured.slicedWassersteinBound.toPrecision(3) +
          ")"
        : "FD " +
          lastMeasured.frechetDistance.toPrecision(3) +
          (lastMeasured.frechetDistanceData !== undefined
            ? " (training images: " + lastMeasured.frechetDistanceData.toPrecision(3) + ")"
            : "") +
          ", class spread " +
          lastMeasured.classSpread.toFixed(2) +
          (lastMeasured.labelAgreement !== undefined
            ? ", labels " + Math.round(100 * lastMeasured.labelAgreement) + "%"
            : "");
    caption.append(document.createTextNode(" · "), q);
  }
}

function showSamplerFields() {
  const kind = $("#kind").value;
  for (const el of document.querySelectorAll(".pc-only")) el.hidden = kind !== "PC";
  for (const el of document.querySelectorAll(".ode-only")) el.hidden = kind !== "ODE";
  const task = $("#task").value;
  for (const el of document.querySelectorAll(".inpaint-only")) el.hidden = task !== "inpaint";
  for (const el of document.querySelectorAll(".colorize-only")) el.hidden = task !== "colorize";
  for (const el of document.querySelectorAll(".inverse-only")) el.hidden = task === "sample";
  if (task !== "sample" && kind !== "PC") {
    // imputation runs inside the PC sampler
    $("#kind").value = "PC";
    showSamplerFields();
  }
  $("#steps").placeholder = kind === "PC" ? "1000" : kind === "ODE" ? "adaptive" : "100 per level";
}

function number(id) {
  const text = $(id).value.trim();
  return text === "" ? undefined : Number(text);
}

function requestFromForm() {
  const kind = $("#kind").value;
  const sampler = { kind };
  if (number("#steps") !== undefined) sampler.steps = number("#steps");
  if (kind === "PC") {
    if ($("#predictor").value) sampler.predictor = $("#predictor").value;
    if ($("#corrector").value) sampler.corrector = $("#corrector").value;
    if (number("#snr") !== undefined) sampler.snr = number("#snr");
  }
  if (kind === "ODE" && $("#solver").value) sampler.odeSolver = $("#solver").value;
  const request = { modelName: $("#model").value, numSamples: number("#samples"), sampler };
  if (number("#seed") !== undefined) request.seed = String(number("#seed"));
  if (number("#preview")) request.preview = { everySteps: number("#preview"), maxPerSecond: 20 };
  let labels = null;
  if (!$("#label-field").hidden) {
    // one class for every sample, or, with none given, every class in turn (a conditional model needs labels)
    const classes = formClasses(state.models.get(request.modelName));
    labels = (
      number("#label") !== undefined
        ? [number("#label")]
        : Array.from({ length: request.numSamples || 1 }, (_, i) => i % classes)
    ).map(String);
    request.conditioning = { classLabels: { labels } };
  }
  if ($("#classifier").value) {
    request.guidance = { classifier: $("#classifier").value };
    if (number("#guidance-scale") !== undefined) request.guidance.scale = number("#guidance-scale");
  }
  const task = $("#task").value;
  if (task === "inpaint" || task === "colorize") {
    const problem = (task === "inpaint" ? inpaint : colorize).conditioning(request.modelName);
    if (number("#particles") !== undefined) problem.particles = number("#particles");
    if (labels) problem.labels = labels;
    request.conditioning = task === "inpaint" ? { inpainting: problem } : { colorization: problem };
  }
  return request;
}

async function submitJob(event) {
  if (event) event.preventDefault();
  if (!state.key) {
    showError({ code: "unauthorized", message: "enter an API key first" });
    $("#api-key").focus();
    return;
  }
  const button = $("#submit");
  button.disabled = true;
  try {
    const request = requestFromForm();
    const job = await apiJson("POST", "/v1/jobs", request);
    upsertJob(job);
    const labels =
      request.conditioning &&
      request.conditioning.classLabels &&
      request.conditioning.classLabels.labels;
    if (labels) state.jobs.get(job.jobId).labels = labels;
    select(job.jobId);
    follow(job.jobId);
  } catch (e) {
    showError(e, "submit");
    if (e.field) highlightField(e.field);
  } finally {
    button.disabled = false;
  }
}

/** Puts the focus on the form field an error names (protobuf JSON names, e.g. "numSamples", "sampler.snr"). */
function highlightField(field) {
  const ids = {
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
  const target = Object.keys(ids).find((name) => field.startsWith(name));
  if (target) $(ids[target]).focus();
}

// ------------------------------------------------------------------------------------------------ jobs

function jobFrom(json, old) {
  const job = old || { id: json.jobId, lastEventId: null, preview: null, result: null };
  job.model = json.modelName;
  job.status = json.status || "QUEUED";
  job.task = (json.summary && json.summary.task) || job.task || "";
  job.samples = (json.summary && json.summary.numSamples) || job.samples || 0;
  job.submittedAt = json.summary && json.summary.submittedAt;
  job.guidance = (json.summary && json.summary.guidance) || job.guidance;
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

function upsertJob(json) {
  const old = state.jobs.get(json.jobId);
  if (old && FINAL.has(old.status) && !FINAL.has(json.status || "")) return; // an older view of an ended job
  state.jobs.set(json.jobId, jobFrom(json, old));
  renderJobs();
}

async function refreshJobs() {
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

function sortedJobs() {
  return [...state.jobs.values()].sort(
    (a, b) =>
      String(b.submittedAt || "").localeCompare(String(a.submittedAt || "")) ||
      b.id.localeCompare(a.id),
  );
}

function seconds(ms) {
  if (ms === undefined || ms === null) return "";
  const s = Number(ms) / 1000;
  return s < 60
    ? s.toFixed(s < 10 ? 1 : 0) + " s"
    : Math.floor(s / 60) + " min " + Math.round(s % 60) + " s";
}

function jobDetail(job) {
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

/** Updates the job list in place: a row per job, newest first, each redrawn only when what it shows changed. */
function renderJobs() {
  const list = $("#jobs");
  const rows = new Map([...list.children].map((li) => [li.dataset.jobId, li]));
  sortedJobs().forEach((job, i) => {
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
  const actions = document.createElement("div");
  actions.className = "actions";
  if (!FINAL.has(job.status)) {
    actions.append(button("Cancel", "cancel", () => cancel(job.id)));
  }
  if (job.status === "SUCCEEDED") {
    for (const format of image && !job.task ? ["png", "npy", "json"] : ["npy", "json"]) {
      actions.append(button(format, "download", () => download(job.id, format)));
    }
    if (!job.task && canMeasure(job)) {
      actions.append(button("likelihood", "likelihood", () => measureLikelihood(job)));
    }
    if (!job.task && job.samples >= 2 && canWalk(job)) {
      actions.append(button("walk", "walk", () => walk(job)));
    }
  }
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
  row.replaceChildren(title, actions, detail, meter);
  if (focused) {
    const again = row.querySelector('[data-action="' + focused + '"]');
    (again || row).focus();
  }
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

function progressPercent(job) {
  if (job.status === "SUCCEEDED") return 100;
  return job.total > 0 ? Math.min(100, (100 * job.step) / job.total) : 0;
}

function modelShape(name) {
  const model = state.models.get(name);
  return (model && model.dataShape) || [];
}

async function cancel(jobId) {
  try {
    await api("DELETE", "/v1/jobs/" + encodeURIComponent(jobId));
  } catch (e) {
    showError(e, "cancel");
  }
}

async function download(jobId, format) {
  try {
    const response = await api(
      "GET",
      "/v1/jobs/" + encodeURIComponent(jobId) + "/result?format=" + format,
    );
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

function select(jobId) {
  state.selected = jobId;
  for (const item of document.querySelectorAll(".job")) {
    item.setAttribute("aria-selected", String(item.dataset.jobId === jobId));
  }
  const job = state.jobs.get(jobId);
  if (job && job.status === "SUCCEEDED" && !job.result && !job.likelihood) loadResult(job);
  if (job && !FINAL.has(job.status)) follow(jobId);
  viewer.show(job);
}

function moveSelection(delta) {
  const jobs = sortedJobs();
  if (!jobs.length) return;
  const at = jobs.findIndex((j) => j.id === state.selected);
  const next = jobs[Math.max(0, Math.min(jobs.length - 1, at + delta))];
  select(next.id);
  const item = document.querySelector('.job[data-job-id="' + CSS.escape(next.id) + '"]');
  if (item) item.focus();
}

/** A finished job's samples: points from the JSON result, images from the PNG grid. */
async function loadResult(job) {
  try {
    if (job.task === "likelihood") {
      const json = await apiJson(
        "GET",
        "/v1/jobs/" + encodeURIComponent(job.id) + "/result?format=json",
      );
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
      const response = await api(
        "GET",
        "/v1/jobs/" + encodeURIComponent(job.id) + "/result?format=png",
      );
      job.result = { image: await createImageBitmap(await response.blob()) };
    } else {
      const json = await apiJson(
        "GET",
        "/v1/jobs/" + encodeURIComponent(job.id) + "/result?format=json",
      );
      job.result = { points: json.samples.map((row) => row.slice(0, 2)) };
    }
    if (state.selected === job.id) viewer.show(job);
  } catch (e) {
    if (e.code !== "result_gone") showError(e, "result");
  }
}

/**
 * The grey picture a colorization job colours: a PNG of the model's height and width, read without colour
 * management so that its levels come through as they are; its grey level per pixel is the mean of its channels.
 */
const colorize = (() => {
  const canvas = $("#gray-canvas");
  const ctx = canvas.getContext("2d");
  let picture = null; // {model, height, width, grey Float32Array [H * W] in [0, 1]}

  function forModel(name) {
    if (picture && picture.model !== name) picture = null;
    draw();
  }

  function draw() {
    ctx.fillStyle = "#0a0e18";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    canvas.dataset.pixels = String(picture ? picture.grey.length : 0);
    if (!picture) return;
    const cell = Math.min(canvas.width / picture.width, canvas.height / picture.height);
    for (let p = 0; p < picture.grey.length; p++) {
      const v = Math.round(255 * picture.grey[p]);
      ctx.fillStyle = "rgb(" + v + "," + v + "," + v + ")";
      ctx.fillRect(
        (p % picture.width) * cell,
        Math.floor(p / picture.width) * cell,
        Math.ceil(cell),
        Math.ceil(cell),
      );
    }
  }

  async function load() {
    const file = $("#gray-file").files[0];
    const model = state.models.get($("#model").value);
    if (!file || !model) return;
    const [, h, w] = model.dataShape;
    try {
      const image = await createImageBitmap(file, {
        colorSpaceConversion: "none",
        premultiplyAlpha: "none",
      });
      if (image.width !== w || image.height !== h) {
        throw new ApiError(
          0,
          "wrong_size",
          "the picture is " +
            image.width +
            " x " +
            image.height +
            " pixels; " +
            model.name +
            " makes " +
            w +
            " x " +
            h,
        );
      }
      const scratch = document.createElement("canvas");
      scratch.width = w;
      scratch.height = h;
      const g = scratch.getContext("2d", { colorSpace: "srgb" });
      g.drawImage(image, 0, 0);
      const rgba = g.getImageData(0, 0, w, h).data;
      const grey = new Float32Array(w * h);
      for (let p = 0; p < grey.length; p++)
        grey[p] = (rgba[4 * p] + rgba[4 * p + 1] + rgba[4 * p + 2]) / 3 / 255;
      picture = { model: model.name, height: h, width: w, grey };
      draw();
    } catch (e) {
      showError(e, "colorize");
    }
  }

  /** The request's `conditioning.colorization`: the grey levels as [1, 1, H, W]. */
  function conditioning(model) {
    if (!picture || picture.model !== model) return {}; // refused, naming conditioning.colorization.gray
    return { gray: float32Tensor([1, 1, picture.height, picture.width], picture.grey) };
  }

  $("#gray-file").onchange = load;
  return { forModel, conditioning };
})();

/** A float32 tensor of the given shape as the protobuf JSON mapping writes it (little-endian bytes in base64). */
function float32Tensor(shape, values) {
  const bytes = new Uint8Array(Float32Array.from(values).buffer);
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return { shape: shape.map(String), dtype: "FLOAT32", data: btoa(text) };
}

// ------------------------------------------------------------------------------------------------ likelihoods

function describeLikelihood(l) {
  const digits = l.unit === "bits/dim" ? 3 : 2;
  return (
    Number(l.mean).toFixed(digits) +
    (l.se !== undefined && l.se !== null ? " ± " + Number(l.se).toFixed(digits) : "") +
    " " +
    l.unit
  );
}

/** True when a job's model is class-conditional (a guided job's labels were for its classifier, not its model). */
function conditional(job) {
  return Boolean((state.models.get(job.model) || {}).numClasses);
}

/** A finished sampling job can be measured when its model needs no classes, or the page knows the job's labels. */
function canMeasure(job) {
  const model = state.models.get(job.model);
  return model && (!model.numClasses || job.labels);
}

/**
 * Submits a likelihood job over a finished job's samples: image samples are first rounded to 8-bit levels (what a
 * picture of them holds) and reported in bits per dimension; other data in nats, with the exact trace.
 */
async function measureLikelihood(job) {
  try {
    const json = await apiJson(
      "GET",
      "/v1/jobs/" + encodeURIComponent(job.id) + "/result?format=json",
    );
    const image = isImageShape(modelShape(job.model));
    let values = json.samples.flat(Infinity);
    if (image) values = values.map((v) => Math.round(255 * Math.max(0, Math.min(1, v))) / 255);
    // the exact trace where it is cheap (2 D extra rows per example), else two Hutchinson probes
    const dimension = json.shape.slice(1).reduce((a, b) => a * b, 1);
    const likelihood = { data: float32Tensor(json.shape, values) };
    if (dimension <= 64) likelihood.exact = true;
    else likelihood.probes = 2;
    const request = { modelName: job.model, numSamples: json.samples.length, likelihood };
    if (job.labels && conditional(job))
      request.conditioning = { classLabels: { labels: job.labels } };
    const made = await apiJson("POST", "/v1/jobs", request);
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

// A walk between a job's first two samples: an encode job turns them into codes and returns WALK_STEPS codes on the
// great circle between them (the server interpolates), then an ODE job started from those codes decodes the walk.
const WALK_STEPS = 8;

/** A walk needs the two samples' class to be one (or an unconditional model). */
function canWalk(job) {
  const model = state.models.get(job.model);
  if (!model) return false;
  if (!model.numClasses) return true;
  return Boolean(job.labels) && (job.labels.length === 1 || job.labels[0] === job.labels[1]);
}

async function walk(job) {
  try {
    const json = await apiJson(
      "GET",
      "/v1/jobs/" + encodeURIComponent(job.id) + "/result?format=json",
    );
    const ends = json.samples.slice(0, 2).flat(Infinity);
    const request = {
      modelName: job.model,
      numSamples: 2,
      encode: {
        data: float32Tensor([2, ...json.shape.slice(1)], ends),
        interpolate: WALK_STEPS,
      },
    };
    if (job.labels && conditional(job))
      request.conditioning = { classLabels: { labels: [job.labels[0]] } };
    const made = await apiJson("POST", "/v1/jobs", request);
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
    const json = await apiJson(
      "GET",
      "/v1/jobs/" + encodeURIComponent(encoding.id) + "/result?format=json",
    );
    const request = {
      modelName: encoding.model,
      numSamples: json.samples.length,
      sampler: {
        kind: "ODE",
        denoise: false,
        latent: float32Tensor(json.shape, json.samples.flat(Infinity)),
      },
      preview: { everySteps: 1 },
    };
    if (encoding.labels) request.conditioning = { classLabels: { labels: [encoding.labels[0]] } };
    const made = await apiJson("POST", "/v1/jobs", request);
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
  if (source) {
    source.likelihood = job.likelihood;
  }
  renderJobs();
  if (state.selected === job.id || (source && state.selected === source.id)) {
    viewer.show(state.jobs.get(state.selected));
  }
}

// ------------------------------------------------------------------------------------------------ the event socket

function connect() {
  if (!state.key) return;
  if (state.socket) state.socket.close();
  const socket = new WebSocket(
    (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/v1/stream",
  );
  socket.binaryType = "arraybuffer";
  state.socket = socket;
  state.followed = new Set();
  setConnection("wait", "connecting…");
  socket.onopen = () => {
    socket.send(JSON.stringify({ op: "auth", apiKey: state.key }));
    state.socketOpen = true;
    state.retryMs = 1000;
    setConnection("live", "live");
    for (const job of state.jobs.values()) if (!FINAL.has(job.status)) follow(job.id);
  };
  socket.onmessage = (message) => {
    if (typeof message.data === "string") {
      onEvent(JSON.parse(message.data), null);
    } else {
      const view = new DataView(message.data);
      const length = view.getUint32(0);
      const header = JSON.parse(new TextDecoder().decode(new Uint8Array(message.data, 4, length)));
      onEvent(header, new Blob([new Uint8Array(message.data, 4 + length)], { type: "image/png" }));
    }
  };
  socket.onclose = (event) => {
    if (state.socket !== socket) return;
    state.socketOpen = false;
    if (event.code === 1008) {
      signedOut(event.reason);
      return;
    }
    setConnection("wait", "reconnecting in " + Math.round(state.retryMs / 1000) + " s…");
    setTimeout(() => state.socket === socket && connect(), state.retryMs);
    state.retryMs = Math.min(15000, state.retryMs * 2);
  };
}

function setConnection(kind, text) {
  const badge = $("#connection");
  badge.className = "badge " + kind;
  badge.textContent = text;
}

function follow(jobId) {
  if (!state.socketOpen || state.followed.has(jobId) || state.followed.size >= MAX_FOLLOWED) return;
  const job = state.jobs.get(jobId);
  const message = { op: "subscribe", jobId };
  if (job && job.lastEventId) message.lastEventId = job.lastEventId;
  state.followed.add(jobId);
  state.socket.send(JSON.stringify(message));
}

function onEvent(message, png) {
  const job = state.jobs.get(message.jobId);
  if (message.event === "error") {
    if (message.jobId) state.followed.delete(message.jobId);
    if (message.error) showError(message.error, "stream");
    if (message.data) showError({ code: "stream", message: message.data.message }, message.jobId);
    return;
  }
  if (message.event === "behind") {
    // the socket is being closed; reconnecting resumes from lastEventId
    return;
  }
  if (!job) return;
  if (message.event === "end" || message.event === "state") {
    state.followed.delete(job.id);
    if (message.event === "state") upsertJob(message.data);
    return;
  }
  job.lastEventId = message.id;
  const data = message.data || {};
  switch (message.event) {
    case "started":
      job.status = "RUNNING";
      job.position = undefined;
      break;
    case "progress": {
      const p = data.progress || {};
      job.status = "RUNNING";
      job.step = p.step || 0;
      job.total = p.totalSteps || job.total;
      job.nfe = Number(p.nfe || 0);
      job.etaMs = p.etaMs;
      job.t = p.t;
      if (png) {
        createImageBitmap(png).then((image) => {
          job.preview = { image };
          if (state.selected === job.id) viewer.show(job);
        });
      } else if (p.preview) {
        job.preview = { points: points(p.preview) };
      }
      break;
    }
    case "completed":
      job.status = "SUCCEEDED";
      if (data.completed.unit) job.task = "likelihood";
      job.nfe = Number(data.completed.nfe || job.nfe);
      job.step = job.total;
      state.followed.delete(job.id);
      loadResult(job);
      break;
    case "failed":
      job.status = "FAILED";
      job.failure = data.failed;
      state.followed.delete(job.id);
      if (state.selected === job.id)
        showError({ code: data.failed.code, message: data.failed.reason }, job.id);
      break;
    case "cancelled":
      job.status = "CANCELLED";
      state.followed.delete(job.id);
      break;
    default:
      break;
  }
  renderJobs();
  if (state.selected === job.id) viewer.show(job);
}

/** A float32 preview tensor {shape [M, D], data base64 little-endian} as M points of its first two values. */
function points(tensor) {
  const bytes = Uint8Array.from(atob(tensor.data), (c) => c.charCodeAt(0));
  const values = new Float32Array(bytes.buffer);
  const shape = tensor.shape.map(Number);
  const d = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = [];
  for (let i = 0; i < shape[0]; i++) out.push([values[i * d], d > 1 ? values[i * d + 1] : 0]);
  return out;
}

// ------------------------------------------------------------------------------------------------ inpainting

/**
 * The picture an inpainting job completes and the mask drawn over it: a sample of a finished job (its float values,
 * so the known part goes back exactly), shown enlarged; dragging over it erases pixels (mask 0: the model fills them
 * in), drawn red. The request carries the picture as `known` and the mask as `mask`, both [1, ...data shape].
 */
const inpaint = (() => {
  const canvas = $("#mask-canvas");
  const ctx = canvas.getContext("2d");
  let source = null; // {model, shape [C, H, W], values Float32Array in data space}
  let mask = null; // Uint8Array [H * W]: 1 known, 0 to fill in
  let drawing = false;
  let last = null; // the stroke's previous position, in picture pixels

  function forModel(name) {
    if (source && source.model !== name) {
      source = null;
      mask = null;
    }
    draw();
  }

  function setSource(model, shape, values) {
    source = { model, shape, values };
    mask = new Uint8Array(shape[1] * shape[2]).fill(1);
    draw();
  }

  function draw() {
    ctx.fillStyle = "#0a0e18";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    canvas.dataset.unknown = "0";
    canvas.dataset.mask = "";
    if (!source) return;
    const [c, h, w] = source.shape;
    const plane = h * w;
    const cell = Math.min(canvas.width / w, canvas.height / h);
    const level = (v) => Math.round(255 * Math.max(0, Math.min(1, v)));
    let unknown = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        const r = level(source.values[p]);
        const g = c === 3 ? level(source.values[plane + p]) : r;
        const b = c === 3 ? level(source.values[2 * plane + p]) : r;
        ctx.fillStyle = mask[p]
          ? "rgb(" + r + "," + g + "," + b + ")"
          : "rgb(" + Math.max(120, r) + "," + Math.round(g * 0.3) + "," + Math.round(b * 0.3) + ")";
        ctx.fillRect(x * cell, y * cell, Math.ceil(cell), Math.ceil(cell));
        unknown += mask[p] ? 0 : 1;
      }
    }
    canvas.dataset.unknown = String(unknown);
    canvas.dataset.mask = mask.join("");
  }

  /** The pointer's position in picture pixels. */
  function at(event) {
    const [, h, w] = source.shape;
    const box = canvas.getBoundingClientRect();
    return [
      ((event.clientX - box.left) / box.width) * w,
      ((event.clientY - box.top) / box.height) * h,
    ];
  }

  /** Erases discs about a tenth of the picture wide along the stroke from the last position to this one. */
  function paint(event) {
    if (!source) return;
    const [, h, w] = source.shape;
    const [x, y] = at(event);
    const [x0, y0] = last || [x, y];
    last = [x, y];
    const radius = Math.max(0.75, w / 14);
    const steps = Math.max(1, Math.ceil(Math.hypot(x - x0, y - y0) / (radius / 2)));
    for (let i = 0; i <= steps; i++) {
      const cx = x0 + ((x - x0) * i) / steps;
      const cy = y0 + ((y - y0) * i) / steps;
      for (let py = 0; py < h; py++) {
        for (let px = 0; px < w; px++) {
          if ((px + 0.5 - cx) ** 2 + (py + 0.5 - cy) ** 2 <= radius * radius) mask[py * w + px] = 0;
        }
      }
    }
    draw();
  }

  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    last = null;
    canvas.setPointerCapture(event.pointerId);
    paint(event);
  });
  canvas.addEventListener("pointermove", (event) => drawing && paint(event));
  canvas.addEventListener("pointerup", () => {
    drawing = false;
  });
  canvas.addEventListener("pointercancel", () => {
    drawing = false;
  });

  async function fromSelectedJob() {
    const job = state.jobs.get(state.selected);
    const model = $("#model").value;
    if (!job || job.status !== "SUCCEEDED" || job.model !== model) {
      showError(
        { code: "no_picture", message: "select a finished job of " + model + " first" },
        "inpaint",
      );
      return;
    }
    try {
      const json = await apiJson(
        "GET",
        "/v1/jobs/" + encodeURIComponent(job.id) + "/result?format=json",
      );
      const shape = json.shape.slice(1).map(Number);
      setSource(model, shape, Float32Array.from(json.samples[0].flat(Infinity)));
    } catch (e) {
      showError(e, "inpaint");
    }
  }

  function eraseLowerHalf() {
    if (!source) return;
    const [, h, w] = source.shape;
    for (let p = Math.floor(h / 2) * w; p < h * w; p++) mask[p] = 0;
    draw();
  }

  function restore() {
    if (mask) mask.fill(1);
    draw();
  }

  /** The request's `conditioning.inpainting`: the picture and its mask, the mask repeated over the channels. */
  function conditioning(model) {
    if (!source || source.model !== model) {
      return {}; // the gateway refuses it, naming conditioning.inpainting.mask
    }
    const [c] = source.shape;
    const full = new Float32Array(c * mask.length);
    for (let k = 0; k < c; k++) full.set(mask, k * mask.length);
    const shape = [1, ...source.shape];
    return { known: float32Tensor(shape, source.values), mask: float32Tensor(shape, full) };
  }

  $("#mask-source").onclick = fromSelectedJob;
  $("#mask-lower").onclick = eraseLowerHalf;
  $("#mask-clear").onclick = restore;
  return { forModel, conditioning };
})();

// ------------------------------------------------------------------------------------------------ the viewer

const viewer = (() => {
  const canvas = $("#preview-canvas");
  const ctx = canvas.getContext("2d");
  let shown = null; // the job on screen
  let from = null; // points being moved from, for a smooth animation
  let to = null;
  let startedAt = 0;
  let bounds = null; // smoothed view box [minX, maxX, minY, maxY]

  function show(job) {
    shown = job;
    const caption = $("#viewer-caption");
    if (!job) {
      caption.textContent = "Submit a job, or pick one from the queue, to watch its samples form.";
      return;
    }
    const what = job.result || job.preview;
    caption.textContent =
      job.model +
      " · " +
      job.id +
      " · " +
      job.status.toLowerCase() +
      (job.t !== undefined && job.status === "RUNNING"
        ? " · t = " + Number(job.t).toFixed(3)
        : "") +
      (job.nfe ? " · " + job.nfe.toLocaleString() + " NFE" : "") +
      (job.status === "RUNNING" && job.etaMs !== undefined ? " · ETA " + seconds(job.etaMs) : "") +
      (job.likelihood
        ? " · " +
          (job.task ? "likelihood " : "its likelihood ") +
          describeLikelihood(job.likelihood)
        : "");
    $("#viewer-progress").style.width = progressPercent(job) + "%";
    listLikelihoods(job.likelihood);
    if (!what) {
      clear();
      return;
    }
    if (what.image) {
      drawImage(what.image);
    } else if (what.points && what.points !== to) {
      from = to && to.length === what.points.length ? current() : what.points;
      to = what.points;
      startedAt = performance.now();
      requestAnimationFrame(frame);
    } else if (what.points) {
      requestAnimationFrame(frame); // the same points, perhaps newly measured: drawn again with their shades
    }
  }

  /** Lists each sample's value (a measured job, or the likelihood job itself) under the canvas. */
  function listLikelihoods(l) {
    const list = $("#sample-likelihoods");
    const values = (l && l.values) || [];
    $("#likelihood-details").hidden = values.length === 0;
    if (list.dataset.of === JSON.stringify([l && l.unit, values.length, l && l.mean])) return;
    list.dataset.of = JSON.stringify([l && l.unit, values.length, l && l.mean]);
    const digits = l && l.unit === "bits/dim" ? 3 : 2;
    list.replaceChildren(
      ...values.map((v, i) => {
        const item = document.createElement("li");
        const se = l.errors && l.errors[i];
        item.textContent =
          (v === null ? "not finite" : Number(v).toFixed(digits)) +
          (se ? " ± " + Number(se).toFixed(digits) : "") +
          " " +
          l.unit;
        return item;
      }),
    );
  }

  /** A colour from dark blue (the least likely sample) to yellow (the most), for value v in [lo, hi]. */
  function shade(v, lo, hi) {
    const f = hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 1;
    return (
      "rgba(" +
      Math.round(60 + 190 * f) +
      "," +
      Math.round(90 + 140 * f) +
      "," +
      Math.round(220 - 170 * f) +
      ",.85)"
    );
  }

  /** Writes each sample's value on its cell of a result grid (PngGrid's layout: ceil(sqrt(n)) columns, 2 px gaps). */
  function labelCells(values, unit, x, y, scale) {
    const n = values.length;
    const cols = Math.ceil(Math.sqrt(n));
    const [, h, w] = modelShape(shown.model);
    ctx.font = Math.max(10, Math.min(14, Math.floor((w * scale) / 5))) + "px sans-serif";
    ctx.textBaseline = "bottom";
    values.forEach((v, i) => {
      if (v === null) return;
      const cx = x + (2 + (i % cols) * (w + 2)) * scale;
      const cy = y + (2 + Math.floor(i / cols) * (h + 2) + h) * scale;
      const text = Number(v).toFixed(unit === "bits/dim" ? 2 : 1);
      ctx.fillStyle = "rgba(10,14,24,.75)";
      ctx.fillRect(cx, cy - 15, ctx.measureText(text).width + 6, 15);
      ctx.fillStyle = "#ffd866";
      ctx.fillText(text, cx + 3, cy - 1);
    });
  }

  function clear() {
    ctx.fillStyle = "#0a0e18";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    from = to = null;
  }

  function frameDrawn() {
    canvas.dataset.frames = String(Number(canvas.dataset.frames) + 1);
  }

  function drawImage(image) {
    from = to = null;
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = "#0a0e18";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const scale = Math.min(canvas.width / image.width, canvas.height / image.height);
    const w = image.width * scale;
    const h = image.height * scale;
    ctx.drawImage(image, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
    const l = shown && shown.result && shown.result.image === image && shown.likelihood;
    if (l && l.values && l.values.length === shown.samples && l.values.length <= 64) {
      labelCells(l.values, l.unit, (canvas.width - w) / 2, (canvas.height - h) / 2, scale);
    }
    frameDrawn();
  }

  function progress() {
    return Math.min(1, (performance.now() - startedAt) / 250);
  }

  function current() {
    const s = progress();
    return to.map((p, i) => [
      from[i][0] + (p[0] - from[i][0]) * s,
      from[i][1] + (p[1] - from[i][1]) * s,
    ]);
  }

  function target(pts) {
    const xs = pts
      .map((p) => p[0])
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const ys = pts
      .map((p) => p[1])
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    if (!xs.length) return [-1, 1, -1, 1];
    const q = (a, f) => a[Math.min(a.length - 1, Math.floor(f * a.length))];
    const box = [q(xs, 0.01), q(xs, 0.99), q(ys, 0.01), q(ys, 0.99)];
    const half = Math.max(box[1] - box[0], box[3] - box[2], 1e-3) * 0.6;
    const cx = (box[0] + box[1]) / 2;
    const cy = (box[2] + box[3]) / 2;
    return [cx - half, cx + half, cy - half, cy + half];
  }

  function frame() {
    if (!to || !shown || (shown.result || shown.preview || {}).image) return;
    const pts = current();
    const goal = target(pts);
    bounds = bounds ? bounds.map((b, i) => b + (goal[i] - b) * 0.2) : goal;
    const [x0, x1, y0, y1] = bounds;
    ctx.fillStyle = "#0a0e18";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = "#1c2438";
    ctx.beginPath();
    const sx = (x) => ((x - x0) / (x1 - x0)) * canvas.width;
    const sy = (y) => canvas.height - ((y - y0) / (y1 - y0)) * canvas.height;
    ctx.moveTo(sx(0), 0);
    ctx.lineTo(sx(0), canvas.height);
    ctx.moveTo(0, sy(0));
    ctx.lineTo(canvas.width, sy(0));
    ctx.stroke();
    ctx.fillStyle = shown.result ? "rgba(76,195,138,.8)" : "rgba(122,162,255,.75)";
    const r = pts.length > 2000 ? 1.2 : 2.2;
    // a measured job's points are shaded by their log-likelihood, from dark blue (least likely) to yellow
    const values = shown.result && shown.likelihood && shown.likelihood.values;
    const shaded = values && values.length === pts.length;
    const finite = shaded ? values.filter((v) => v !== null) : [];
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    for (const [i, [x, y]] of pts.entries()) {
      if (shaded) ctx.fillStyle = values[i] === null ? "#ff5d5d" : shade(values[i], lo, hi);
      ctx.beginPath();
      ctx.arc(sx(x), sy(y), r, 0, 2 * Math.PI);
      ctx.fill();
    }
    frameDrawn();
    if (progress() < 1 || Math.abs(goal[0] - bounds[0]) > 1e-3 * (x1 - x0))
      requestAnimationFrame(frame);
  }

  return { show };
})();

// ------------------------------------------------------------------------------------------------ fleet

async function refreshFleet() {
  if (!state.key) return;
  try {
    const { workers } = await apiJson("GET", "/v1/workers");
    const rows = workers.map((w) => {
      const tr = document.createElement("tr");
      const name = document.createElement("td");
      const models = document.createElement("span");
      models.className = "models";
      models.textContent = (w.models || []).map((m) => m.name + ":" + m.version).join(", ");
      name.append(w.workerId, models);
      const jobs = document.createElement("td");
      jobs.textContent = (w.activeJobs || 0) + " run · " + (w.queuedJobs || 0) + " wait";
      const rate = document.createElement("td");
      rate.textContent = Number(w.samplesPerSecond || 0).toFixed(1);
      const occupancy = document.createElement("td");
      const bar = document.createElement("span");
      bar.className = "occupancy";
      bar.title = Math.round(100 * (w.batchOccupancy || 0)) + "% of the batch filled";
      const fill = document.createElement("span");
      fill.style.width = Math.round(100 * (w.batchOccupancy || 0)) + "%";
      bar.append(fill);
      occupancy.append(bar);
      tr.append(name, jobs, rate, occupancy);
      return tr;
    });
    if (!rows.length) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.colSpan = 4;
      td.textContent = "no live worker";
      tr.append(td);
      rows.push(tr);
    }
    $("#fleet tbody").replaceChildren(...rows);
  } catch (e) {
    showError(e, "fleet");
  }
}

// ------------------------------------------------------------------------------------------------ keyboard, start

function onKey(event) {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submitJob();
    return;
  }
  if (typing || event.ctrlKey || event.metaKey || event.altKey || $("#help").open) return;
  const job = state.jobs.get(state.selected);
  switch (event.key) {
    case "?":
      $("#help").showModal();
      break;
    case "n":
      event.preventDefault();
      $("#model").focus();
      break;
    case "j":
      moveSelection(1);
      break;
    case "k":
      moveSelection(-1);
      break;
    case "c":
      if (job && !FINAL.has(job.status)) cancel(job.id);
      break;
    case "d":
      if (job && job.status === "SUCCEEDED") download(job.id, "npy");
      break;
    case "Enter":
      if (document.activeElement.dataset.jobId) select(document.activeElement.dataset.jobId);
      break;
    default:
      return;
  }
}

function start() {
  $("#key-form").onsubmit = (event) => {
    event.preventDefault();
    const key = $("#api-key").value.trim();
    if (key) useKey(key);
  };
  $("#job-form").onsubmit = submitJob;
  $("#model").onchange = showModel;
  $("#classifier").onchange = showGuided;
  $("#kind").onchange = showSamplerFields;
  $("#task").onchange = showSamplerFields;
  $("#help-button").onclick = () => $("#help").showModal();
  document.addEventListener("keydown", onKey);
  setInterval(refreshModels, 10000);
  setInterval(refreshJobs, 5000);
  setInterval(refreshFleet, 3000);
  setInterval(refreshTraining, 10000);
  const key = initialKey();
  if (key) {
    useKey(key);
  } else {
    $("#api-key").focus();
  }
}

start();
