package io.scorestream.core.sample;

/** Correctors of the PC sampler (Song et al. 2021, algorithms 4 and 5; Song and Ermon 2019). */
public enum CorrectorKind {
  /**
   * Langevin MCMC with step size {@code 2 alpha (snr |z| / |s|)^2}, norms averaged over the job's
   * samples.
   */
  LANGEVIN,
  /** Annealed Langevin with step size {@code 2 alpha (snr std(t))^2}. */
  ANNEALED_LANGEVIN,
  NONE
}
