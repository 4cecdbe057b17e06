// What the page knows of served models (as GET /v1/models lists them) and which jobs and tools fit them. Pure.

/** "VP, 1×28×28": a model's SDE and data shape, for the model menu. */
export function describeShape(model) {
  return (model.sde || "?").toUpperCase() + ", " + (model.dataShape || []).join("×");
}

/** True for [C, H, W] data with one or three channels: drawn as pictures, not as points. */
export function isImageShape(shape) {
  return shape.length === 3 && (shape[0] === 1 || shape[0] === 3);
}

/** Splits a listing into score models and noise-conditional classifiers (kind "classifier"), each by name. */
export function splitModels(models) {
  return {
    models: new Map(models.filter((m) => m.kind !== "classifier").map((m) => [m.name, m])),
    classifiers: new Map(models.filter((m) => m.kind === "classifier").map((m) => [m.name, m])),
  };
}

/** The classifiers that can guide a model: its data shape, SDE and noise range, and its classes if it has any. */
export function classifiersFor(model, classifiers) {
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const noise = (m) =>
    Object.keys(m)
      .filter((k) => k.startsWith("scorestream.sde") || k === "scorestream.data.scaling")
      .sort()
      .map((k) => k + "=" + m[k])
      .join();
  const meta = model.metadata || {};
  return [...classifiers].filter(
    (c) =>
      same(c.dataShape, model.dataShape) &&
      c.sde === model.sde &&
      noise(c.metadata || {}) === noise(meta) &&
      (!model.numClasses || model.numClasses === c.numClasses),
  );
}

/** The rows of a model's fact sheet, [name, value], leaving out what the model does not say. */
export function modelFacts(model) {
  const meta = model.metadata || {};
  const step = meta["scorestream.train_step"];
  return [
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
    ["trained", step && step !== "-1" ? step + " steps" : undefined],
  ].filter(([, value]) => value !== undefined && value !== "");
}

/** A finished sampling job can be measured when its model needs no classes, or the page knows the job's labels. */
export function canMeasure(job, model) {
  return Boolean(model) && (!model.numClasses || Boolean(job.labels));
}

/** A walk needs the two samples' class to be one (or an unconditional model). */
export function canWalk(job, model) {
  if (!model) return false;
  if (!model.numClasses) return true;
  return Boolean(job.labels) && (job.labels.length === 1 || job.labels[0] === job.labels[1]);
}
