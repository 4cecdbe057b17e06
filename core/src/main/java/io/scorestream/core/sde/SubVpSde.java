package io.scorestream.core.sde;

/**
 * Sub-VP SDE: {@code dx = -beta(t) x / 2 dt + sqrt(beta(t) (1 - exp(-2 int_0^t beta))) dw}, whose
 * kernel std {@code 1 - exp(-int_0^t beta)} is below the VP SDE's at every t (Song et al. 2021,
 * section 3.4).
 *
 * <p>The reference code has no ancestral sampler and no Langevin alpha for sub-VP. Here ancestral
 * sampling uses the Gaussian chain between the kernels at t and {@code t - T/N}, which exists
 * because {@code std(t) >= (mean(t) / mean(s)) std(s)} for s below t, with the exact posterior
 * noise; the Langevin alpha is the VP SDE's {@code 1 - beta_i}.
 *
 * @param betaMin beta at t = 0
 * @param betaMax beta at t = T
 * @param horizon T
 */
public record SubVpSde(double betaMin, double betaMax, double horizon) implements Sde, LinearBeta {

  public SubVpSde {
    VpSde.checkBetas(betaMin, betaMax, horizon);
  }

  @Override
  public double defaultEps() {
    return 1e-3;
  }

  /** {@code beta(t)}. */
  public double beta(double t) {
    return betaMin + t * (betaMax - betaMin);
  }

  @Override
  public double driftCoefficient(double t) {
    return -0.5 * beta(t);
  }

  @Override
  public double diffusion(double t) {
    double discount = 1 - Math.exp(-2 * betaMin * t - (betaMax - betaMin) * t * t);
    return Math.sqrt(beta(t) * discount);
  }

  @Override
  public double meanCoefficient(double t) {
    return Math.exp(VpSde.logMeanCoefficient(betaMin, betaMax, t));
  }

  @Override
  public double marginalStd(double t) {
    return 1 - Math.exp(2 * VpSde.logMeanCoefficient(betaMin, betaMax, t));
  }

  @Override
  public double priorStd() {
    return 1;
  }

  /**
   * Euler–Maruyama discretisation with {@code dt = T / N}, as the reference's generic {@code
   * discretize}.
   */
  @Override
  public LinearStep discretise(double t, int steps) {
    double dt = horizon / steps;
    return new LinearStep(driftCoefficient(t) * dt, diffusion(t) * Math.sqrt(dt));
  }

  @Override
  public AncestralStep ancestral(double t, int steps) {
    double previous = Math.max(0, t - horizon / steps);
    double a = meanCoefficient(t) / meanCoefficient(previous);
    double std = marginalStd(t);
    double previousStd = marginalStd(previous);
    double b2 = Math.max(0, std * std - a * a * previousStd * previousStd);
    double posteriorVariance = std == 0 ? 0 : b2 * previousStd * previousStd / (std * std);
    return new AncestralStep(a, b2, Math.sqrt(posteriorVariance));
  }

  @Override
  public double langevinAlpha(double t, int steps) {
    return 1 - VpSde.discreteBeta(betaMin, betaMax, gridIndex(t, steps), steps);
  }

  @Override
  public SdeKind kind() {
    return SdeKind.SUBVP;
  }
}
