package io.scorestream.core.sde;

/**
 * The linear noise schedule {@code beta(t) = beta_min + t (beta_max - beta_min)} of the VP and
 * sub-VP SDEs.
 */
public interface LinearBeta {
  /** beta at t = 0. */
  double betaMin();

  /** beta at t = T. */
  double betaMax();
}
