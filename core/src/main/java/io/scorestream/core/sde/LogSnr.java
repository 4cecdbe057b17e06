package io.scorestream.core.sde;

/**
 * The half log signal-to-noise ratio of an SDE's perturbation kernel, {@code lambda(t) =
 * log(alpha_t / sigma_t)} with {@code alpha_t} its mean coefficient and {@code sigma_t} its
 * standard deviation (Lu et al., "DPM-Solver", NeurIPS 2022, section 3.1): the time variable in
 * which DPM-Solver's exponential integrators are exact for the linear part. It decreases in t for
 * VP, sub-VP and VE alike, so it has an inverse, found here by bisection (closed forms exist for VP
 * and VE; sub-VP has none, and one method for all three keeps them in step).
 */
public final class LogSnr {
  private LogSnr() {}

  /** {@code lambda(t)}, dimensionless. */
  public static double at(Sde sde, double t) {
    return Math.log(sde.meanCoefficient(t)) - Math.log(sde.marginalStd(t));
  }

  /**
   * The time in {@code [lo, hi]} whose log-SNR is {@code lambda}, to within 1e-12 of the interval;
   * the nearer end when {@code lambda} lies outside what the interval reaches.
   */
  public static double time(Sde sde, double lambda, double lo, double hi) {
    if (lambda >= at(sde, lo)) {
      return lo;
    }
    if (lambda <= at(sde, hi)) {
      return hi;
    }
    double a = lo;
    double b = hi;
    for (int i = 0; i < 200 && b - a > 1e-12 * (hi - lo); i++) {
      double mid = 0.5 * (a + b);
      if (at(sde, mid) > lambda) {
        a = mid;
      } else {
        b = mid;
      }
    }
    return 0.5 * (a + b);
  }
}
