package io.scorestream.core.sde;

/**
 * Variance-exploding SDE (SMLD): {@code dx = sigma(t) sqrt(2 ln(sigma_max / sigma_min)) dw} with
 * {@code sigma(t) = sigma_min (sigma_max / sigma_min)^t}; the kernel's std is sigma(t), as in the
 * reference code. Discrete noise levels are geometric from sigma_min to sigma_max (Song and Ermon
 * 2019).
 *
 * @param sigmaMin smallest noise std, in model-space units
 * @param sigmaMax largest noise std, in model-space units
 * @param horizon T
 */
public record VeSde(double sigmaMin, double sigmaMax, double horizon) implements Sde {

  public VeSde {
    if (!(sigmaMin > 0 && sigmaMax > sigmaMin)) {
      throw new IllegalArgumentException(
          "VE SDE needs 0 < sigma_min < sigma_max, got " + sigmaMin + ", " + sigmaMax);
    }
    if (!(horizon > 0)) {
      throw new IllegalArgumentException("SDE horizon T must be positive, got " + horizon);
    }
  }

  @Override
  public double defaultEps() {
    return 1e-5;
  }

  @Override
  public double driftCoefficient(double t) {
    return 0;
  }

  @Override
  public double diffusion(double t) {
    return sigma(t) * Math.sqrt(2 * Math.log(sigmaMax / sigmaMin));
  }

  @Override
  public double meanCoefficient(double t) {
    return 1;
  }

  @Override
  public double marginalStd(double t) {
    return sigma(t);
  }

  @Override
  public double priorStd() {
    return sigmaMax;
  }

  /** {@code sigma(t) = sigma_min (sigma_max / sigma_min)^(t / T)}. */
  public double sigma(double t) {
    return sigmaMin * Math.pow(sigmaMax / sigmaMin, t / horizon);
  }

  /** The inverse of {@link #sigma(double)}. */
  public double timeOfSigma(double sigma) {
    return horizon * Math.log(sigma / sigmaMin) / Math.log(sigmaMax / sigmaMin);
  }

  /** Level i of the N geometric levels from sigma_min (i = 0) to sigma_max (i = N - 1). */
  public double discreteSigma(int i, int steps) {
    if (steps == 1) {
      return sigmaMax;
    }
    return Math.exp(
        Math.log(sigmaMin) + i * (Math.log(sigmaMax) - Math.log(sigmaMin)) / (steps - 1));
  }

  @Override
  public LinearStep discretise(double t, int steps) {
    int i = gridIndex(t, steps);
    double sigma = discreteSigma(i, steps);
    double previous = i == 0 ? 0 : discreteSigma(i - 1, steps);
    return new LinearStep(0, Math.sqrt(sigma * sigma - previous * previous));
  }

  @Override
  public AncestralStep ancestral(double t, int steps) {
    int i = gridIndex(t, steps);
    double sigma = discreteSigma(i, steps);
    double previous = i == 0 ? 0 : discreteSigma(i - 1, steps);
    double b2 = sigma * sigma - previous * previous;
    return new AncestralStep(1, b2, Math.sqrt(previous * previous * b2 / (sigma * sigma)));
  }

  @Override
  public double langevinAlpha(double t, int steps) {
    return 1;
  }

  @Override
  public SdeKind kind() {
    return SdeKind.VE;
  }
}
