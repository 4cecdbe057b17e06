package io.scorestream.core.sde;

/**
 * A forward SDE {@code dx = f(x, t) dt + g(t) dw} on {@code t in [0, T]} whose drift is linear in
 * x, {@code f(x, t) = driftCoefficient(t) * x}, as are all three SDEs of Song et al., "Score-Based
 * Generative Modeling through Stochastic Differential Equations" (ICLR 2021).
 *
 * <p>The perturbation kernel is {@code p_0t(x(t) | x(0)) = N(meanCoefficient(t) * x(0),
 * marginalStd(t)^2 I)}, following the reference code's {@code marginal_prob}. Times are
 * dimensionless in {@code [0, T]}; x lives in model space (after the model's data scaling).
 */
public sealed interface Sde permits VeSde, VpSde, SubVpSde {

  /** Time horizon T. */
  double horizon();

  /**
   * Smallest time a sampler integrates to when the request does not say (1e-5 VE, 1e-3 VP and
   * sub-VP).
   */
  double defaultEps();

  /** {@code f(x, t) / x}. */
  double driftCoefficient(double t);

  /** {@code g(t)}. */
  double diffusion(double t);

  /** Mean of the perturbation kernel divided by x(0). */
  double meanCoefficient(double t);

  /** Standard deviation of the perturbation kernel. */
  double marginalStd(double t);

  /** Standard deviation of the isotropic Gaussian prior at T. */
  double priorStd();

  /**
   * Log-density of the prior at z (one sample of {@code dim} values starting at {@code offset}), in
   * nats.
   */
  default double priorLogDensity(double[] z, int offset, int dim) {
    double s = priorStd();
    double sq = 0;
    for (int i = 0; i < dim; i++) {
      sq += z[offset + i] * z[offset + i];
    }
    return -0.5 * dim * Math.log(2 * Math.PI * s * s) - sq / (2 * s * s);
  }

  /**
   * The one-step discretisation used by the reverse-diffusion predictor at time t on an N-step
   * grid: {@code x_{i+1} = x_i + f_i(x_i) + G_i z} with {@code f_i(x) = step.driftFactor() * x}.
   */
  LinearStep discretise(double t, int steps);

  /**
   * The Gaussian Markov chain behind ancestral sampling at time t on an N-step grid, see {@link
   * AncestralStep}.
   */
  AncestralStep ancestral(double t, int steps);

  /** The Langevin corrector's alpha at time t: {@code 1 - beta_i} for VP and sub-VP, 1 for VE. */
  double langevinAlpha(double t, int steps);

  /** The kind and parameters, as model metadata names them. */
  SdeKind kind();

  /** Index of t on the reference code's N-point grid: {@code floor(t * (N - 1) / T)}, clamped. */
  default int gridIndex(double t, int steps) {
    int i = (int) (t * (steps - 1) / horizon());
    return Math.max(0, Math.min(steps - 1, i));
  }
}
