package io.scorestream.worker.kafka.planted;

/** A planted layering violation: the rules must catch it (see PlantedViolationsTest). */
public final class TransportCallsSampler {
  io.scorestream.core.sample.BatchEvaluator evaluator;
}
