package io.scorestream.core.sde;

/**
 * Variance-preserving SDE (DDPM): {@code dx = -beta(t) x / 2 dt + sqrt(beta(t)) dw} with {@code
 * beta(t) = beta_min + t (beta_max - beta_min)} (t in units of T). Discrete betas are {@code
 * linspace(beta_min / N, beta_max / N, N)} as in Ho et al. (2020) and the reference code.
 *
 * @param betaMin beta at t = 0
 * @param betaMax beta at t = T
 * @param horizon T
 */
public record VpSde(double betaMin, double betaMax, double horizon) implements Sde, LinearBeta {

  public VpSde {
    checkBetas(betaMin, betaMax, horizon);
  }

  static void checkBetas(double betaMin, double betaMax, double horizon) {
    if (!(betaMin > 0 && betaMax > betaMin)) {
      throw new IllegalArgumentException(
          "VP SDE needs 0 < beta_min < beta_max, got " + betaMin + ", " + betaMax);
    }
    if (!(horizon > 0)) {
      throw new IllegalArgumentException("SDE horizon T must be positive, got " + horizon);
    }
  }

  @Override
  public double defaultEps() {
    return 1e-3;
  }

  /** {@code beta(t)}. */
  public double beta(double t) {
    return betaMin + t * (betaMax - betaMin);
  }

  /** {@code log meanCoefficient(t) = -t^2 (beta_max - beta_min) / 4 - t beta_min / 2}. */
  static double logMeanCoefficient(double betaMin, double betaMax, double t) {
    return -0.25 * t * t * (betaMax - betaMin) - 0.5 * t * betaMin;
  }

  /** Discrete beta_i of the N-step chain. */
  static double discreteBeta(double betaMin, double betaMax, int i, int steps) {
    if (steps == 1) {
      return betaMax;
    }
    return betaMin / steps + i * (betaMax - betaMin) / steps / (steps - 1);
  }

  @Override
  public double driftCoefficient(double t) {
    return -0.5 * beta(t);
  }

  @Override
  public double diffusion(double t) {
    return Math.sqrt(beta(t));
  }

  @Override
  public double meanCoefficient(double t) {
    return Math.exp(logMeanCoefficient(betaMin, betaMax, t));
  }

  @Override
  public double marginalStd(double t) {
    return Math.sqrt(1 - Math.exp(2 * logMeanCoefficient(betaMin, betaMax, t)));
  }

  @Override
  public double priorStd() {
    return 1;
  }

  @Override
  public LinearStep discretise(double t, int steps) {
    double beta = discreteBeta(betaMin, betaMax, gridIndex(t, steps), steps);
    return new LinearStep(Math.sqrt(1 - beta) - 1, Math.sqrt(beta));
  }

  @Override
  public AncestralStep ancestral(double t, int steps) {
    double beta = discreteBeta(betaMin, betaMax, gridIndex(t, steps), steps);
    return new AncestralStep(Math.sqrt(1 - beta), beta, Math.sqrt(beta));
  }

  @Override
  public double langevinAlpha(double t, int steps) {
    return 1 - discreteBeta(betaMin, betaMax, gridIndex(t, steps), steps);
  }

  @Override
  public SdeKind kind() {
    return SdeKind.VP;
  }
}
