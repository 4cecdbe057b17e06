package io.scorestream.jobs.planted;

/** A planted layering violation: the rules must catch it (see PlantedViolationsTest). */
public final class JobsUsesWorker {
  io.scorestream.worker.Worker worker;
}
