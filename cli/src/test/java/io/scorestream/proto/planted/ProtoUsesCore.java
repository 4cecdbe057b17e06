package io.scorestream.proto.planted;

/** A planted layering violation: the rules must catch it (see PlantedViolationsTest). */
public final class ProtoUsesCore {
  io.scorestream.core.sde.VpSde sde;
}
