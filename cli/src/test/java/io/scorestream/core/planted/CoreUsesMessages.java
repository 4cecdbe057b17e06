package io.scorestream.core.planted;

/** A planted layering violation: the rules must catch it (see PlantedViolationsTest). */
public final class CoreUsesMessages {
  io.scorestream.proto.v1.JobEvent event;
}
