package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.Sde;
import java.util.SplittableRandom;

/**
 * Solves a noiseless linear inverse problem {@code y = A x} ({@link LinearMeasurement}) with an
 * unconditional score model by imputation inside the predictor–corrector sampler (Song et al. 2021,
 * appendix I.2): after every step the known part of the state is replaced by the observation noised
 * to the current time. The noised observations form one path of the forward process started at y,
 * drawn from T down to 0 through the forward process's bridge {@code q(y_s | y_t, y)}, so the
 * state's known part follows a path the forward process could have taken.
 *
 * <p>Replacement alone does not sample the exact conditional {@code p(x | A x = y)}: the unknown
 * part chooses its mode while the noise still hides most of y (on the test mixture it under-weights
 * the mode y favours by about 10%). With K > 1 particles per sample the process becomes the
 * sequential Monte Carlo sampler of Trippe et al. 2022 ("Diffusion probabilistic modeling of
 * protein backbones in 3D for the motif-scaffolding problem", SMCDiff): each particle is weighted
 * by the predictor's transition density of the observation path's next value, {@code N(y_s; Q
 * mean(x_t), std^2)}, particles are resampled (systematic) when the effective sample size falls
 * below K/2, and each sample is one particle drawn by its final weight. It is consistent as K grows
 * when the score is exact; corrector steps (Langevin with the known part re-imputed) are moves
 * outside that weighting.
 *
 * <p>Shapes: {@code samples * K} rows of {@code dimension} values are evaluated; the result is
 * {@code samples} rows, whose known part equals the observation (in model space, to rounding).
 */
final class ImputationProcess extends SamplingProcess {
  private final Sde sde;
  private final SamplerSpec spec;
  private final PcSchedule schedule;
  private final LinearMeasurement measurement;
  private final int n;
  private final int particles;
  private final GaussianNoise noise;
  private final SplittableRandom random;
  private final double[] x;
  private final double[] xMean;
  private final double[] z;
  private final double[] path;
  private final double[] logWeight;
  private final int[] ancestor;
  private double pathTime;
  private double[] output;
  private int op;

  ImputationProcess(
      Sde sde,
      SamplerSpec spec,
      PcSchedule schedule,
      LinearMeasurement measurement,
      int particles,
      int dimension,
      long[] labels,
      DataScaling scaling,
      long seed) {
    super(
        sde,
        Math.multiplyExact(measurement.samples(), particles),
        dimension,
        repeatEach(labels, particles),
        scaling,
        particles);
    this.sde = sde;
    this.spec = spec;
    this.schedule = schedule;
    this.measurement = measurement;
    this.n = measurement.samples();
    this.particles = particles;
    this.noise = new GaussianNoise(seed);
    this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    int size = samples() * dimension;
    x = new double[size];
    xMean = new double[size];
    z = new double[size];
    path = new double[n * measurement.valuesPerSample()];
    logWeight = new double[samples()];
    ancestor = new int[particles];
    noise.fill(x);
    double priorStd = sde.priorStd();
    for (int i = 0; i < size; i++) {
      x[i] *= priorStd;
    }
    startPath(schedule.time(0));
    imputeAll(x);
    System.arraycopy(x, 0, xMean, 0, size);
    setQuery(x, schedule.time(0));
  }

  private static long[] repeatEach(long[] labels, int times) {
    if (labels == null) {
      return null;
    }
    long[] out = new long[labels.length * times];
    for (int i = 0; i < out.length; i++) {
      out[i] = labels[i / times];
    }
    return out;
  }

  /** The observation noised to t: {@code y_t ~ N(m(t) y, sigma(t)^2)} on every known value. */
  private void startPath(double t) {
    double m = sde.meanCoefficient(t);
    double s = sde.marginalStd(t);
    forEachKnown((i, y) -> path[i] = m * y + s * random.nextGaussian());
    pathTime = t;
  }

  /**
   * Moves the observation path from its time down to {@code t} by the forward process's bridge:
   * given y_hi and y, {@code y_lo} is Gaussian with precision {@code 1/s_lo^2 + a^2/v} and mean
   * {@code (m_lo y / s_lo^2 + a y_hi / v)} over that precision, where {@code a = m_hi/m_lo} and
   * {@code v = s_hi^2 - a^2 s_lo^2} is the variance from lo to hi. At t = 0 it is y itself.
   */
  private void advancePath(double t) {
    if (t == pathTime) {
      return;
    }
    double mHi = sde.meanCoefficient(pathTime);
    double sHi = sde.marginalStd(pathTime);
    double mLo = t == 0 ? 1 : sde.meanCoefficient(t);
    double sLo = t == 0 ? 0 : sde.marginalStd(t);
    double a = mHi / mLo;
    double v = sHi * sHi - a * a * sLo * sLo;
    if (t == 0 || !(v > 0)) {
      forEachKnown((i, y) -> path[i] = mLo * y);
    } else {
      double variance = 1 / (1 / (sLo * sLo) + a * a / v);
      double std = Math.sqrt(variance);
      forEachKnown(
          (i, y) ->
              path[i] =
                  variance * (mLo * y / (sLo * sLo) + a * path[i] / v)
                      + std * random.nextGaussian());
    }
    pathTime = t;
  }

  private interface KnownValue {
    void accept(int index, double observation);
  }

  private void forEachKnown(KnownValue action) {
    int k = measurement.rowsPerGroup();
    for (int s = 0; s < n; s++) {
      for (int g = 0; g < measurement.groups(); g++) {
        if (measurement.known(s, g)) {
          for (int r = 0; r < k; r++) {
            action.accept((s * measurement.groups() + g) * k + r, measurement.observation(s, g, r));
          }
        }
      }
    }
  }

  private void imputeAll(double[] state) {
    int dim = dimension();
    int perSample = measurement.valuesPerSample();
    for (int row = 0; row < samples(); row++) {
      int s = row / particles;
      measurement.impute(s, state, row * dim, path, s * perSample);
    }
  }

  @Override
  protected void advance(float[] score, int offset) {
    noise.fill(z);
    if (schedule.corrects(op)) {
      advancePath(schedule.time(op));
      PcSteps.correct(spec, schedule, op, x, xMean, z, score, offset, samples(), dimension());
      imputeAll(x);
    } else {
      predict(score, offset);
    }
    op++;
    if (op < schedule.length()) {
      setQuery(x, schedule.time(op));
    } else {
      finish();
    }
  }

  private void predict(float[] score, int offset) {
    PcSteps.predictMean(spec, schedule, op, x, xMean, score, offset);
    double std = PcSteps.predictorStd(spec, schedule, op);
    advancePath(schedule.landing(op));
    if (particles > 1 && std > 0) {
      weigh(std);
    }
    for (int i = 0; i < x.length; i++) {
      x[i] = xMean[i] + std * z[i];
    }
    imputeAll(x);
  }

  /**
   * Adds each particle's log transition density of the path's new value, then resamples where it
   * degenerated.
   */
  private void weigh(double std) {
    int dim = dimension();
    int k = measurement.rowsPerGroup();
    int perSample = measurement.valuesPerSample();
    double inverse = 1 / (2 * std * std);
    for (int row = 0; row < samples(); row++) {
      int s = row / particles;
      double sq = 0;
      for (int g = 0; g < measurement.groups(); g++) {
        if (measurement.known(s, g)) {
          for (int r = 0; r < k; r++) {
            double e =
                path[s * perSample + g * k + r] - measurement.project(xMean, row * dim, g, r);
            sq += e * e;
          }
        }
      }
      logWeight[row] -= sq * inverse;
    }
    for (int s = 0; s < n; s++) {
      double[] w = normalisedWeights(s);
      double squares = 0;
      for (double v : w) {
        squares += v * v;
      }
      if (1 / squares < particles / 2.0) {
        resample(s, w);
      }
    }
  }

  /** Sample s's particle weights, normalised to sum to 1. */
  private double[] normalisedWeights(int s) {
    double max = Double.NEGATIVE_INFINITY;
    for (int p = 0; p < particles; p++) {
      max = Math.max(max, logWeight[s * particles + p]);
    }
    double[] w = new double[particles];
    double total = 0;
    for (int p = 0; p < particles; p++) {
      w[p] = Math.exp(logWeight[s * particles + p] - max);
      total += w[p];
    }
    for (int p = 0; p < particles; p++) {
      w[p] /= total;
    }
    return w;
  }

  /** Systematic resampling of sample s's particles (their means; the noise is added after). */
  private void resample(int s, double[] w) {
    double u = random.nextDouble() / particles;
    double cumulative = w[0];
    int from = 0;
    for (int p = 0; p < particles; p++) {
      double point = u + (double) p / particles;
      while (point > cumulative && from < particles - 1) {
        cumulative += w[++from];
      }
      ancestor[p] = from;
    }
    int dim = dimension();
    int base = s * particles;
    double[] copy = new double[particles * dim];
    System.arraycopy(xMean, base * dim, copy, 0, copy.length);
    for (int p = 0; p < particles; p++) {
      System.arraycopy(copy, ancestor[p] * dim, xMean, (base + p) * dim, dim);
      logWeight[base + p] = 0;
    }
  }

  /**
   * Picks one particle per sample by its final weight and sets the known part to the observation
   * exactly.
   */
  private void finish() {
    double[] last = spec.denoise() ? xMean : x;
    int dim = dimension();
    output = new double[n * dim];
    for (int s = 0; s < n; s++) {
      int chosen = 0;
      if (particles > 1) {
        double[] w = normalisedWeights(s);
        double u = random.nextDouble();
        double cumulative = w[0];
        while (u > cumulative && chosen < particles - 1) {
          cumulative += w[++chosen];
        }
      }
      System.arraycopy(last, (s * particles + chosen) * dim, output, s * dim, dim);
    }
    advancePath(0);
    int perSample = measurement.valuesPerSample();
    for (int s = 0; s < n; s++) {
      measurement.impute(s, output, s * dim, path, s * perSample);
    }
  }

  @Override
  public StepProgress progress() {
    return schedule.progress(op, nfe());
  }

  @Override
  protected boolean done() {
    return output != null;
  }

  @Override
  protected double[] output() {
    return output;
  }
}
