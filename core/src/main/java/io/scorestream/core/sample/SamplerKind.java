package io.scorestream.core.sample;

/** Which sampler a job runs. */
public enum SamplerKind {
  /** Predictor–corrector over the reverse SDE (Song et al. 2021, algorithms 2 and 3). */
  PC,
  /** Probability-flow ODE (Song et al. 2021, section 4.3). */
  ODE,
  /** Annealed Langevin dynamics (Song and Ermon 2019, algorithm 1). */
  ALD
}
