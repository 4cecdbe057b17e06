package io.scorestream.core.sample;

/**
 * Solvers for the probability-flow ODE: adaptive Dormand–Prince RK45, or fixed-step Euler, Heun or
 * RK4.
 */
public enum OdeMethod {
  DORMAND_PRINCE,
  EULER,
  HEUN,
  RK4
}
