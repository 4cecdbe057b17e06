package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.Sde;

/**
 * Predictor–corrector sampling (Song et al. 2021, algorithm 1 and appendix G) over N times from T down to eps,
 * following a {@link PcSchedule} that jobs with equal settings share. The result is the last mean (the reference's
 * {@code denoise}) or the last noisy state.
 *
 * <p>The Langevin corrector averages the score and noise norms over this job's samples only.
 */
final class PcProcess extends SamplingProcess {
  private final SamplerSpec spec;
  private final PcSchedule schedule;
  private final GaussianNoise noise;
  private final double[] x;
  private final double[] xMean;
  private final double[] z;
  private int op;

  PcProcess(Sde sde, SamplerSpec spec, PcSchedule schedule, int samples, int dimension, long[] labels,
      DataScaling scaling, long seed) {
    super(sde, samples, dimension, labels, scaling);
    this.spec = spec;
    this.schedule = schedule;
    this.noise = new GaussianNoise(seed);
    int size = samples * dimension;
    this.x = new double[size];
    this.xMean = new double[size];
    this.z = new double[size];
    noise.fill(x);
    double priorStd = sde.priorStd();
    for (int i = 0; i < size; i++) {
      x[i] *= priorStd;
    }
    System.arraycopy(x, 0, xMean, 0, size);
    setQuery(x, schedule.time(0));
  }

  @Override
  protected void advance(float[] score, int offset) {
    noise.fill(z);
    if (schedule.corrects(op)) {
      correct(score, offset, op);
    } else {
      predict(score, offset, op);
    }
    op++;
    if (op < schedule.length()) {
      setQuery(x, schedule.time(op));
    }
  }

  private void predict(float[] s, int off, int j) {
    double a = schedule.a(j);
    double b = schedule.b(j);
    double c = schedule.c(j);
    switch (spec.predictor()) {
      case REVERSE_DIFFUSION -> {
        double g2 = b * b;
        for (int i = 0; i < x.length; i++) {
          xMean[i] = x[i] - a * x[i] + g2 * s[off + i];
          x[i] = xMean[i] + b * z[i];
        }
      }
      case EULER_MARUYAMA -> {
        double noiseScale = b * Math.sqrt(c);
        for (int i = 0; i < x.length; i++) {
          xMean[i] = x[i] - (a * x[i] - b * b * s[off + i]) * c;
          x[i] = xMean[i] + noiseScale * z[i];
        }
      }
      case ANCESTRAL -> {
        for (int i = 0; i < x.length; i++) {
          xMean[i] = (x[i] + b * s[off + i]) / a;
          x[i] = xMean[i] + c * z[i];
        }
      }
      case NONE -> throw new IllegalStateException("no predictor step is scheduled without a predictor");
    }
  }

  private void correct(float[] s, int off, int j) {
    double alpha = schedule.a(j);
    double stepSize;
    if (spec.corrector() == CorrectorKind.LANGEVIN) {
      double ratio = spec.snr() * meanRowNorm(i -> z[i]) / meanRowNorm(i -> s[off + i]);
      stepSize = 2 * alpha * ratio * ratio;
    } else {
      double std = schedule.b(j);
      stepSize = 2 * alpha * spec.snr() * spec.snr() * std * std;
    }
    double noiseScale = Math.sqrt(2 * stepSize);
    for (int i = 0; i < x.length; i++) {
      xMean[i] = x[i] + stepSize * s[off + i];
      x[i] = xMean[i] + noiseScale * z[i];
    }
  }

  /** Mean over this job's samples of the Euclidean norm of each sample's row of {@code value(i)}. */
  private double meanRowNorm(java.util.function.IntToDoubleFunction value) {
    int d = dimension();
    double sum = 0;
    for (int r = 0; r < samples(); r++) {
      double sq = 0;
      for (int j = 0; j < d; j++) {
        double e = value.applyAsDouble(r * d + j);
        sq += e * e;
      }
      sum += Math.sqrt(sq);
    }
    return sum / samples();
  }

  @Override
  public StepProgress progress() {
    int k = Math.min(op, schedule.length() - 1);
    int step = op == schedule.length() ? spec.steps() : schedule.step(k);
    return new StepProgress(step, spec.steps(), schedule.time(k), nfe(), (double) op / schedule.length());
  }

  @Override
  protected boolean done() {
    return op == schedule.length();
  }

  @Override
  protected double[] output() {
    return spec.denoise() ? xMean : x;
  }
}
