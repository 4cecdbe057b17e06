package io.scorestream.gateway.planted;

/** A planted layering violation: the rules must catch it (see PlantedViolationsTest). */
public final class GatewayUsesWorker {
  io.scorestream.worker.Worker worker;
}
