package io.scorestream.worker.planted;

/** A planted layering violation: the rules must catch it (see PlantedViolationsTest). */
public final class WorkerUsesOrt {
  ai.onnxruntime.OrtEnvironment environment;
}
