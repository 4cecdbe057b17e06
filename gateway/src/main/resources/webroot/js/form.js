// The job form: the served models and their facts, the sampler's fields for the chosen kind and task, guidance by
// the classifiers that fit, and the submission (an error puts the focus on the field it names).
import { classifiersFor, describeShape, isImageShape, modelFacts, splitModels } from "./models.js";
import { ADAPTIVE_MIN_VALUES, fieldInput, requestLabels, sampleRequest } from "./requests.js";
import { $, apiJson, state } from "./session.js";
import { showError } from "./errors.js";
import { select, upsertJob } from "./joblist.js";
import { follow } from "./stream.js";
import { refreshTraining } from "./training.js";
import * as colorize from "./colorize.js";
import * as inpaint from "./inpaint.js";

/** Wires the form's controls. */
export function init() {
  $("#job-form").onsubmit = submitJob;
  $("#model").onchange = showModel;
  $("#classifier").onchange = showGuided;
  $("#kind").onchange = showSamplerFields;
  $("#task").onchange = showSamplerFields;
}

/** Fetches the served models; the menu changes only when the names do, keeping the chosen one where it can. */
export async function refreshModels() {
  if (!state.key) return;
  try {
    const { models } = await apiJson("GET", "/v1/models");
    const select = $("#model");
    const previous = select.value;
    const served = splitModels(models);
    const versions = (map) => [...map.values()].map((c) => c.name + ":" + c.version).join();
    const classifiersChanged = versions(served.classifiers) !== versions(state.classifiers);
    state.models = served.models;
    state.classifiers = served.classifiers;
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

function showModel() {
  const model = state.models.get($("#model").value);
  const facts = $("#model-facts");
  facts.replaceChildren();
  if (!model) return;
  for (const [name, value] of modelFacts(model)) {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = value;
    facts.append(dt, dd);
  }
  showGuidance();
  const shape = model.dataShape || [];
  $("#kind").querySelector('option[value="ALD"]').disabled = model.sde !== "ve";
  // the adaptive sampler's error test needs many values per sample (the server refuses fewer)
  $("#kind").querySelector('option[value="ADAPTIVE"]').disabled =
    shape.reduce((a, b) => a * b, 1) < ADAPTIVE_MIN_VALUES;
  if ($("#kind").selectedOptions[0].disabled) $("#kind").value = "DPM_SOLVER";
  $("#samples").value = $("#samples").value || (isImageShape(shape) ? 16 : 256);
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

/** Offers the classifiers that fit the selected model; a chosen one asks for a class and a scale. */
function showGuidance() {
  const model = state.models.get($("#model").value);
  const select = $("#classifier");
  const previous = select.value;
  const fitting = model ? classifiersFor(model, state.classifiers.values()) : [];
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

function showSamplerFields() {
  const kind = $("#kind").value;
  for (const el of document.querySelectorAll(".pc-only")) el.hidden = kind !== "PC";
  for (const el of document.querySelectorAll(".ode-only")) el.hidden = kind !== "ODE";
  for (const el of document.querySelectorAll(".dpm-only")) el.hidden = kind !== "DPM_SOLVER";
  for (const el of document.querySelectorAll(".adaptive-only")) el.hidden = kind !== "ADAPTIVE";
  const task = $("#task").value;
  for (const el of document.querySelectorAll(".inpaint-only")) el.hidden = task !== "inpaint";
  for (const el of document.querySelectorAll(".colorize-only")) el.hidden = task !== "colorize";
  for (const el of document.querySelectorAll(".inverse-only")) el.hidden = task === "sample";
  if (task !== "sample" && kind !== "PC" && kind !== "DPM_SOLVER") {
    // imputation runs inside the PC sampler or the stochastic DPM-Solver
    $("#kind").value = "PC";
    showSamplerFields();
    return;
  }
  if (task !== "sample" && kind === "DPM_SOLVER") $("#stochastic").checked = true;
  // particles are weighted at the PC sampler's steps only
  $("#particles").closest("label").hidden = task === "sample" || kind !== "PC";
  const placeholders = {
    PC: "1000",
    ODE: "adaptive",
    DPM_SOLVER: "30",
    EDM: "18 levels",
    ADAPTIVE: "at most 2000 evaluations",
  };
  $("#steps").placeholder = placeholders[kind] || "100 per level";
}

function number(id) {
  const text = $(id).value.trim();
  return text === "" ? undefined : Number(text);
}

/** The form's values, as requests.js's sampleRequest takes them. */
function readForm() {
  const model = $("#model").value;
  const task = $("#task").value;
  const classifier = state.classifiers.get($("#classifier").value);
  const served = state.models.get(model);
  return {
    model,
    kind: $("#kind").value,
    steps: number("#steps"),
    predictor: $("#predictor").value,
    corrector: $("#corrector").value,
    snr: number("#snr"),
    solver: $("#solver").value,
    order: number("#order"),
    rtol: number("#rtol"),
    stochastic: $("#stochastic").checked,
    samples: number("#samples"),
    seed: number("#seed"),
    preview: number("#preview"),
    labels: !$("#label-field").hidden,
    label: number("#label"),
    // the labels range over the guiding classifier's classes, or the model's
    classes: (classifier && classifier.numClasses) || (served && served.numClasses) || 1,
    classifier: $("#classifier").value,
    guidanceScale: number("#guidance-scale"),
    task,
    problem:
      task === "inpaint"
        ? inpaint.conditioning(model)
        : task === "colorize"
          ? colorize.conditioning(model)
          : undefined,
    particles: $("#particles").closest("label").hidden ? undefined : number("#particles"),
  };
}

/** Submits the form's job, selects it and follows it; a refusal is shown and its field focused. */
export async function submitJob(event) {
  if (event) event.preventDefault();
  if (!state.key) {
    showError({ code: "unauthorized", message: "enter an API key first" });
    $("#api-key").focus();
    return;
  }
  const button = $("#submit");
  button.disabled = true;
  try {
    const request = sampleRequest(readForm());
    const job = await apiJson("POST", "/v1/jobs", request);
    upsertJob(job);
    const labels = requestLabels(request);
    if (labels) state.jobs.get(job.jobId).labels = labels;
    select(job.jobId);
    follow(job.jobId);
  } catch (e) {
    showError(e, "submit");
    const input = e.field && fieldInput(e.field);
    if (input) $(input).focus();
  } finally {
    button.disabled = false;
  }
}
