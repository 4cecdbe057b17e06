package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.Sde;

/**
 * Predictor–corrector sampling (Song et al. 2021, algorithm 1 and appendix G) over N times from T
 * down to eps, following a {@link PcSchedule} that jobs with equal settings share. The result is
 * the last mean (the reference's {@code denoise}) or the last noisy state.
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

  PcProcess(
      Sde sde,
      SamplerSpec spec,
      PcSchedule schedule,
      int samples,
      int dimension,
      long[] labels,
      DataScaling scaling,
      long seed) {
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
      PcSteps.correct(spec, schedule, op, x, xMean, z, score, offset, samples(), dimension());
    } else {
      PcSteps.predict(spec, schedule, op, x, xMean, z, score, offset);
    }
    op++;
    if (op < schedule.length()) {
      setQuery(x, schedule.time(op));
    }
  }

  @Override
  public StepProgress progress() {
    return schedule.progress(op, nfe());
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
