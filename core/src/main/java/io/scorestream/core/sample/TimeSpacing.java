package io.scorestream.core.sample;

/** How a fixed-step solver spaces its times between T and eps (DPM-Solver's get_time_steps). */
public enum TimeSpacing {
  /**
   * Uniform in the half log-SNR {@code lambda = log(alpha / sigma)}: the reference's choice for low
   * resolutions, and geometric noise levels under VE.
   */
  LOG_SNR,
  /** Uniform in t. */
  TIME_UNIFORM,
  /** Uniform in sqrt(t): more steps near the data. */
  TIME_QUADRATIC
}
