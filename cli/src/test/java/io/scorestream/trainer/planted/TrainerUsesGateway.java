package io.scorestream.trainer.planted;

/** A planted layering violation: the rules must catch it (see PlantedViolationsTest). */
public final class TrainerUsesGateway {
  io.scorestream.gateway.Gateway gateway;
}
