package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.LogSnr;
import io.scorestream.core.sde.Sde;

/**
 * EDM's second-order Heun sampler (Karras et al., "Elucidating the Design Space of Diffusion-Based
 * Generative Models", NeurIPS 2022, algorithm 2), on any of the three SDEs through the scaled
 * variables {@code x^ = x / alpha_t} and {@code sigma^ = sigma_t / alpha_t}, in which every
 * probability-flow ODE is {@code dx^/dsigma^ = (x^ - D) / sigma^} with {@code D = (x + sigma_t^2
 * s(x, t)) / alpha_t} (Tweedie's data prediction from the served score).
 *
 * <p>N noise levels from sigma^(T) down to sigma^(eps), spaced by the power rho = 7 (EDM's eq. 5);
 * each of the N - 1 steps takes an Euler step and Heun's correction (two evaluations), and the
 * final denoising step returns D at eps, EDM's last Euler step to sigma = 0: 2N - 1 evaluations in
 * all, or 2N - 2 without it. With churn S, each step first adds noise that raises sigma^ by the
 * factor {@code 1 + min(S / N, sqrt(2) - 1)}, drawn from the job's seeded generator (EDM's
 * stochastic sampler with S_noise = 1, and S_max where the raised level would pass T). Churn needs
 * more levels than the deterministic sampler: it adds noise the steps must remove again.
 *
 * <p>Shapes: {@code samples * dimension} doubles, kept as x^ in model space.
 */
final class EdmProcess extends SamplingProcess {
  /** EDM's spacing exponent. */
  static final double RHO = 7;

  private final Sde sde;
  private final int levels;
  private final boolean denoise;
  private final double gamma;
  private final double[] sigmaHat;
  private final GaussianNoise noise;
  private final double[] xHat;
  private final double[] start;
  private final double[] slope;
  private final double[] z;
  private final double[] x;
  private int step;
  private double fromSigma;
  private boolean correcting;
  private boolean denoising;
  private boolean finished;

  /**
   * @param levels N, the noise levels (at least 2)
   * @param churn EDM's S_churn (0: the deterministic sampler)
   * @param denoise end with D at eps (one more evaluation)
   * @param latent the start {@code x(T)}, or null for the prior
   */
  EdmProcess(
      Sde sde,
      int levels,
      double churn,
      boolean denoise,
      int samples,
      int dimension,
      long[] labels,
      DataScaling scaling,
      long seed,
      double eps,
      double[] latent) {
    super(sde, samples, dimension, labels, scaling);
    if (levels < 2) {
      throw new IllegalArgumentException("EDM needs at least 2 noise levels, got " + levels);
    }
    if (!(churn >= 0 && Double.isFinite(churn))) {
      throw new IllegalArgumentException("churn must be zero or more, got " + churn);
    }
    this.sde = sde;
    this.levels = levels;
    this.denoise = denoise;
    this.gamma = Math.min(churn / levels, Math.sqrt(2) - 1);
    this.sigmaHat = levels(sde, levels, eps);
    int size = samples * dimension;
    this.noise = new GaussianNoise(seed);
    this.start = new double[size];
    this.slope = new double[size];
    this.z = churn > 0 ? new double[size] : null;
    this.x = new double[size];
    // x^(T) = x(T) / alpha_T
    double alpha = sde.meanCoefficient(sde.horizon());
    this.xHat = start(sde, latent, samples, dimension, noise);
    for (int i = 0; i < size; i++) {
      xHat[i] /= alpha;
    }
    beginStep();
  }

  /** sigma^ at the N levels, rho-spaced from T down to eps. */
  static double[] levels(Sde sde, int levels, double eps) {
    double top = Math.pow(scaledSigma(sde, sde.horizon()), 1 / RHO);
    double bottom = Math.pow(scaledSigma(sde, eps), 1 / RHO);
    double[] out = new double[levels];
    for (int i = 0; i < levels; i++) {
      out[i] = Math.pow(top + (double) i / (levels - 1) * (bottom - top), RHO);
    }
    return out;
  }

  private static double scaledSigma(Sde sde, double t) {
    return sde.marginalStd(t) / sde.meanCoefficient(t);
  }

  /** The time whose sigma^ is {@code s}: lambda = -log sigma^. */
  private double time(double s) {
    return LogSnr.time(sde, -Math.log(s), 0, sde.horizon());
  }

  /** Churns (when asked) and queries D at the step's start. */
  private void beginStep() {
    fromSigma = sigmaHat[step];
    double raised = fromSigma * (1 + gamma);
    if (z != null && raised <= sigmaHat[0]) { // no churn past T, where the model is not defined
      double spread = Math.sqrt(raised * raised - fromSigma * fromSigma);
      noise.fill(z);
      for (int i = 0; i < xHat.length; i++) {
        xHat[i] += spread * z[i];
      }
      fromSigma = raised;
    }
    query(xHat, fromSigma);
  }

  /** Sets the query to x = alpha x^ at the time of sigma^. */
  private void query(double[] scaled, double s) {
    double t = time(s);
    double alpha = sde.meanCoefficient(t);
    for (int i = 0; i < x.length; i++) {
      x[i] = alpha * scaled[i];
    }
    setQuery(x, t);
  }

  @Override
  protected void advance(float[] score, int off) {
    double t = queryTime();
    double alpha = sde.meanCoefficient(t);
    double sigma = sde.marginalStd(t);
    double s = sigma / alpha;
    float[] q = queryPoints();
    if (denoising) {
      for (int i = 0; i < xHat.length; i++) {
        xHat[i] = (q[i] + sigma * sigma * score[off + i]) / alpha;
      }
      finished = true;
      return;
    }
    // the slope of the scaled ODE, (x^ - D) / sigma^ = -sigma s(x, t) / alpha ... with x = alpha x^
    double to = sigmaHat[step + 1];
    if (!correcting) {
      for (int i = 0; i < xHat.length; i++) {
        slope[i] = -sigma * score[off + i];
        start[i] = xHat[i];
        xHat[i] = start[i] + (to - fromSigma) * slope[i];
      }
      correcting = true;
      query(xHat, to);
      return;
    }
    for (int i = 0; i < xHat.length; i++) {
      double d = -sigma * score[off + i];
      xHat[i] = start[i] + (to - fromSigma) * 0.5 * (slope[i] + d);
    }
    correcting = false;
    step++;
    if (step < levels - 1) {
      beginStep();
    } else if (denoise) {
      denoising = true;
      query(xHat, sigmaHat[levels - 1]);
    } else {
      finished = true;
    }
  }

  @Override
  public StepProgress progress() {
    return new StepProgress(
        step,
        levels - 1,
        queryTime(),
        nfe(),
        finished ? 1 : (double) step / (levels - 1 + (denoise ? 1 : 0)));
  }

  @Override
  protected boolean done() {
    return finished;
  }

  @Override
  protected double[] output() {
    if (!finished) {
      return xHat;
    }
    // the result in model space: x = alpha(eps) x^, or D itself after the denoising step
    if (denoising) {
      return xHat;
    }
    double alpha = sde.meanCoefficient(time(sigmaHat[levels - 1]));
    double[] out = new double[xHat.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = alpha * xHat[i];
    }
    return out;
  }
}
