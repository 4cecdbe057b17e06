package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.Sde;

/**
 * The adaptive-step reverse-SDE solver of Jolicoeur-Martineau et al., "Gotta Go Fast When
 * Generating Data with Score-Based Models" (arXiv 2105.14080, algorithm 1): every sample carries
 * its own time t and step h. An attempt draws one {@code z ~ N(0, I)} and takes two stages with the
 * reverse drift {@code F(x, t) = f(x, t) - g(t)^2 s(x, t)}:
 *
 * <pre>
 *   K1 = -h F(x, t) + g(t) sqrt(h) z                  x'  = x + K1            (Euler–Maruyama)
 *   K2 = -h F(x + K1, t - h) + g(t - h) sqrt(h) z     x'' = x + (K1 + K2) / 2 (improved Euler)
 * </pre>
 *
 * The error {@code E = ||(x'' - x') / delta||_2 / sqrt(n)} over the sample's n values, with {@code
 * delta = max(atol, rtol max(|x'|, |x'_prev|))} elementwise ({@code x'_prev} the last accepted x'),
 * accepts the step when {@code E <= 1} (x becomes x'', t becomes t - h); either way the next step
 * is {@code h = min(t - eps, 0.9 h E^-0.9)}. Both stages cost an evaluation, rejected or not, and
 * every sample of the job is evaluated at every stage (a sample that has reached eps waits there),
 * so the job's evaluations are those of its slowest sample. An optional final step returns
 * Tweedie's data prediction {@code (x + sigma^2 s) / alpha} at eps.
 *
 * <p>Where it applies: the accept test sees one sample's n values, each perturbed by the step's
 * noise. With many values per sample (images: hundreds or more) E is an average and the test is
 * indifferent to the particular draw; with a handful of values, rejections select the steps whose
 * noise happened to be small, and the samples come out too narrow at any tolerance (measured on 2-D
 * mixtures; 128 values per sample are enough). Fixed-step samplers suit low-dimensional models.
 *
 * <p>{@code budget} caps the evaluations: a job that has not reached eps by then fails, naming the
 * tolerances. Shapes: {@code samples * dimension} doubles in model space; per-sample times and
 * steps, {@code samples} doubles each.
 */
final class AdaptiveSdeProcess extends SamplingProcess {
  /** The first step, as a fraction of the horizon T (the paper's h_init = 0.01 with T = 1). */
  static final double INITIAL_STEP = 0.01;

  /** Safety factor theta of the step-size update. */
  static final double SAFETY = 0.9;

  /** Exponent r of the step-size update (the paper's torch code fixes it at 0.9). */
  static final double EXPONENT = 0.9;

  /** A sample within this fraction of T from eps has arrived. */
  static final double ARRIVED = 1e-6;

  private final Sde sde;
  private final double eps;
  private final double rtol;
  private final double atol;
  private final long budget;
  private final boolean denoise;
  private final GaussianNoise noise;
  private final double[] x;
  private final double[] lastEuler;
  private final double[] trial;
  private final double[] k1;
  private final double[] z;
  private final double[] t;
  private final double[] h;
  private final double[] stageTimes;
  private int attempts;
  private long accepted;
  private long rejected;
  private boolean secondStage;
  private boolean denoising;
  private boolean finished;

  /**
   * @param rtol relative tolerance of the error test
   * @param atol absolute tolerance, in model space
   * @param budget the most score evaluations the job may spend, the final denoising included
   * @param denoise end with Tweedie's data prediction at eps (one more evaluation)
   */
  AdaptiveSdeProcess(
      Sde sde,
      double rtol,
      double atol,
      long budget,
      boolean denoise,
      int samples,
      int dimension,
      long[] labels,
      DataScaling scaling,
      long seed,
      double eps) {
    super(sde, samples, dimension, labels, scaling);
    if (!(rtol > 0 && atol > 0 && Double.isFinite(rtol) && Double.isFinite(atol))) {
      throw new IllegalArgumentException(
          "tolerances must be positive, got rtol " + rtol + ", atol " + atol);
    }
    checkEps(sde, eps);
    this.sde = sde;
    this.eps = eps;
    this.rtol = rtol;
    this.atol = atol;
    this.budget = budget;
    this.denoise = denoise;
    this.noise = new GaussianNoise(seed);
    this.x = start(sde, null, samples, dimension, noise);
    int size = samples * dimension;
    this.lastEuler = x.clone();
    this.trial = new double[size];
    this.k1 = new double[size];
    this.z = new double[size];
    this.t = new double[samples];
    this.h = new double[samples];
    this.stageTimes = new double[samples];
    double first = Math.min(INITIAL_STEP * sde.horizon(), sde.horizon() - eps);
    for (int k = 0; k < samples; k++) {
      t[k] = sde.horizon();
      h[k] = first;
    }
    beginAttempt();
  }

  private boolean running(int k) {
    return t[k] - eps > ARRIVED * sde.horizon();
  }

  /** Draws the attempt's noise and queries the first stage at each sample's (x, t). */
  private void beginAttempt() {
    noise.fill(z);
    System.arraycopy(t, 0, stageTimes, 0, t.length);
    setQuery(x, stageTimes);
  }

  @Override
  protected void advance(float[] score, int off) {
    if (denoising) {
      dataPrediction(x, score, off, sde.meanCoefficient(eps), sde.marginalStd(eps), x);
      finished = true;
      return;
    }
    if (!secondStage) {
      firstStage(score, off);
    } else {
      secondStage(score, off);
    }
  }

  /** K1 from the score at (x, t); queries x + K1 at t - h. */
  private void firstStage(float[] score, int off) {
    for (int k = 0; k < t.length; k++) {
      int from = k * dimension();
      int to = from + dimension();
      if (!running(k)) {
        System.arraycopy(x, from, trial, from, dimension());
        stageTimes[k] = t[k];
        continue;
      }
      double c = sde.driftCoefficient(t[k]);
      double g = sde.diffusion(t[k]);
      double rootH = Math.sqrt(h[k]);
      for (int i = from; i < to; i++) {
        k1[i] = -h[k] * (c * x[i] - g * g * score[off + i]) + g * rootH * z[i];
        trial[i] = x[i] + k1[i];
      }
      stageTimes[k] = t[k] - h[k];
    }
    secondStage = true;
    setQuery(trial, stageTimes);
  }

  /** K2 from the score at (x + K1, t - h); accepts or rejects each sample's step. */
  private void secondStage(float[] score, int off) {
    for (int k = 0; k < t.length; k++) {
      if (running(k)) {
        settle(k, score, off);
      }
    }
    secondStage = false;
    attempts++;
    int left = 0;
    int slowest = 0;
    for (int k = 0; k < t.length; k++) {
      if (running(k)) {
        left++;
        slowest = t[k] > t[slowest] ? k : slowest;
      }
    }
    if (left == 0) {
      if (denoise) {
        denoising = true;
        setQuery(x, eps);
      } else {
        finished = true;
      }
    } else if (nfe() + 2 + (denoise ? 1 : 0) > budget) {
      fail(
          "the adaptive solver did not reach eps within "
              + budget
              + " score evaluations ("
              + left
              + " samples left, the slowest at t="
              + t[slowest]
              + " with step "
              + h[slowest]
              + "); raise the budget (steps) or loosen rtol "
              + rtol
              + " / atol "
              + atol);
    } else {
      beginAttempt();
    }
  }

  private void settle(int k, float[] score, int off) {
    int from = k * dimension();
    int to = from + dimension();
    double next = stageTimes[k];
    double c = sde.driftCoefficient(next);
    double g = sde.diffusion(next);
    double rootH = Math.sqrt(h[k]);
    double sum = 0;
    for (int i = from; i < to; i++) {
      double k2 = -h[k] * (c * trial[i] - g * g * score[off + i]) + g * rootH * z[i];
      double diff = 0.5 * (k2 - k1[i]);
      double scale = Math.max(atol, rtol * Math.max(Math.abs(trial[i]), Math.abs(lastEuler[i])));
      sum += (diff / scale) * (diff / scale);
      // keep K2 where the state will need it: x'' = x' + (K2 - K1) / 2
      k1[i] = diff;
    }
    double error = Math.sqrt(sum / dimension());
    if (!Double.isFinite(error)) {
      fail(
          "sample " + k + " has a non-finite error estimate at t=" + t[k] + " (step " + h[k] + ")");
      return;
    }
    if (error <= 1) {
      for (int i = from; i < to; i++) {
        lastEuler[i] = trial[i];
        x[i] = trial[i] + k1[i];
      }
      t[k] = next;
      accepted++;
    } else {
      rejected++;
    }
    double grown =
        error == 0 ? Double.POSITIVE_INFINITY : SAFETY * h[k] * Math.pow(error, -EXPONENT);
    h[k] = Math.min(t[k] - eps, grown);
  }

  /** Accepted steps over all samples so far. */
  long acceptedSteps() {
    return accepted;
  }

  /** Rejected steps over all samples so far (each cost the job two evaluations). */
  long rejectedSteps() {
    return rejected;
  }

  @Override
  public StepProgress progress() {
    double latest = eps;
    for (double time : t) {
      latest = Math.max(latest, time);
    }
    double fraction = finished ? 1 : (sde.horizon() - latest) / (sde.horizon() - eps);
    return new StepProgress(attempts, -1, latest, nfe(), Math.min(1, Math.max(0, fraction)));
  }

  @Override
  protected boolean done() {
    return finished;
  }

  @Override
  protected double[] output() {
    return x;
  }
}
