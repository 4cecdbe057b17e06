package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.Sde;
import java.util.SplittableRandom;

/**
 * Solves a noiseless linear inverse problem {@code y = A x} ({@link LinearMeasurement}) with an
 * unconditional score model by imputation inside the predictor–corrector sampler (Song et al. 2021,
 * appendix I.2): after every step the known part of the state is replaced by the observation noised
 * to the current time, one path of the forward process started at y ({@link ObservationPath}).
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
  private final ObservationPath path;
  private final double[] logWeight;
  private final int[] ancestor;
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
    this.random = ObservationPath.generator(seed);
    int size = samples() * dimension;
    x = new double[size];
    xMean = new double[size];
    z = new double[size];
    logWeight = new double[samples()];
    ancestor = new int[particles];
    noise.fill(x);
    double priorStd = sde.priorStd();
    for (int i = 0; i < size; i++) {
      x[i] *= priorStd;
    }
    path = new ObservationPath(sde, measurement, random, schedule.time(0));
    path.impute(x, particles, dimension);
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

  @Override
  protected void advance(float[] score, int offset) {
    noise.fill(z);
    if (schedule.corrects(op)) {
      path.advanceTo(schedule.time(op));
      PcSteps.correct(spec, schedule, op, x, xMean, z, score, offset, samples(), dimension());
      path.impute(x, particles, dimension());
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
    path.advanceTo(schedule.landing(op));
    if (particles > 1 && std > 0) {
      weigh(std);
    }
    for (int i = 0; i < x.length; i++) {
      x[i] = xMean[i] + std * z[i];
    }
    path.impute(x, particles, dimension());
  }

  /**
   * Adds each particle's log transition density of the path's new value, then resamples where it
   * degenerated.
   */
  private void weigh(double std) {
    int dim = dimension();
    int k = measurement.rowsPerGroup();
    double inverse = 1 / (2 * std * std);
    for (int row = 0; row < samples(); row++) {
      int s = row / particles;
      double sq = 0;
      for (int g = 0; g < measurement.groups(); g++) {
        if (measurement.known(s, g)) {
          for (int r = 0; r < k; r++) {
            double e = path.value(s, g, r) - measurement.project(xMean, row * dim, g, r);
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
    path.advanceTo(0);
    path.impute(output, 1, dim);
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
