package io.scorestream.gateway.planted;

/** A planted layering violation: the rules must catch it (see PlantedViolationsTest). */
public final class GatewayComputes {
  double root(double x) {
    return Math.sqrt(x);
  }
}
