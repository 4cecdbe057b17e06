package io.scorestream.core.sample;

/** Predictors of the PC sampler (Song et al. 2021, section 4.2 and appendix F). */
public enum PredictorKind {
  REVERSE_DIFFUSION,
  EULER_MARUYAMA,
  ANCESTRAL,
  NONE
}
