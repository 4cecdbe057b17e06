package io.scorestream.core.sample;

/** Which sampler a job runs. */
public enum SamplerKind {
  /** Predictor–corrector over the reverse SDE (Song et al. 2021, algorithms 2 and 3). */
  PC,
  /** Probability-flow ODE (Song et al. 2021, section 4.3). */
  ODE,
  /** Annealed Langevin dynamics (Song and Ermon 2019, algorithm 1). */
  ALD,
  /**
   * DPM-Solver++ multistep, or its SDE variant (Lu et al. 2022, arXiv 2211.01095): reference
   * quality in 20 to 50 score evaluations.
   */
  DPM_SOLVER,
  /**
   * EDM's Heun sampler (Karras et al. 2022) over rho-spaced noise levels, optionally with churn:
   * {@code steps} levels cost {@code 2 steps - 1} evaluations.
   */
  EDM,
  /**
   * The adaptive-step reverse-SDE solver of Jolicoeur-Martineau et al. 2021 ("Gotta Go Fast"):
   * per-sample steps from an error estimate with tolerances rtol and atol; {@code steps} is its
   * budget of score evaluations. For samples of many values (images).
   */
  ADAPTIVE
}
