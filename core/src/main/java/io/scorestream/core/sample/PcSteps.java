package io.scorestream.core.sample;

import java.util.function.IntToDoubleFunction;

/**
 * The arithmetic of one predictor or corrector step of a {@link PcSchedule} (Song et al. 2021,
 * algorithm 1 and appendix G), shared by plain sampling and imputation. Every predictor is Gaussian
 * given the current state: {@code x' = mean(x, s) + std z}; {@link #predictMean} computes the mean
 * and {@link #predictorStd} the std, so an importance weight can use the step's transition density.
 *
 * <p>Shapes: {@code rows} rows of {@code dim} values, row-major, in model space; the score from
 * {@code off} in {@code s}.
 */
final class PcSteps {
  private PcSteps() {}

  /** The predictor's mean {@code xMean} from {@code x} and its score. */
  static void predictMean(
      SamplerSpec spec,
      PcSchedule schedule,
      int op,
      double[] x,
      double[] xMean,
      float[] s,
      int off) {
    double a = schedule.a(op);
    double b = schedule.b(op);
    double c = schedule.c(op);
    switch (spec.predictor()) {
      case REVERSE_DIFFUSION -> {
        double g2 = b * b;
        for (int i = 0; i < x.length; i++) {
          xMean[i] = x[i] - a * x[i] + g2 * s[off + i];
        }
      }
      case EULER_MARUYAMA -> {
        for (int i = 0; i < x.length; i++) {
          xMean[i] = x[i] - (a * x[i] - b * b * s[off + i]) * c;
        }
      }
      case ANCESTRAL -> {
        for (int i = 0; i < x.length; i++) {
          xMean[i] = (x[i] + b * s[off + i]) / a;
        }
      }
      case NONE ->
          throw new IllegalStateException("no predictor step is scheduled without a predictor");
    }
  }

  /**
   * The std of the predictor's Gaussian noise at op: G for reverse diffusion, g sqrt(dt), the
   * ancestral std.
   */
  static double predictorStd(SamplerSpec spec, PcSchedule schedule, int op) {
    return switch (spec.predictor()) {
      case REVERSE_DIFFUSION -> schedule.b(op);
      case EULER_MARUYAMA -> schedule.b(op) * Math.sqrt(schedule.c(op));
      case ANCESTRAL -> schedule.c(op);
      case NONE ->
          throw new IllegalStateException("no predictor step is scheduled without a predictor");
    };
  }

  /** One predictor step: {@code x <- mean + std z}, the mean kept in {@code xMean}. */
  static void predict(
      SamplerSpec spec,
      PcSchedule schedule,
      int op,
      double[] x,
      double[] xMean,
      double[] z,
      float[] s,
      int off) {
    predictMean(spec, schedule, op, x, xMean, s, off);
    double std = predictorStd(spec, schedule, op);
    for (int i = 0; i < x.length; i++) {
      x[i] = xMean[i] + std * z[i];
    }
  }

  /**
   * One corrector step over {@code rows} rows: Langevin with the step size from the snr and the
   * mean row norms of the noise and the score over these rows, or annealed Langevin with the step
   * from the kernel std.
   */
  static void correct(
      SamplerSpec spec,
      PcSchedule schedule,
      int op,
      double[] x,
      double[] xMean,
      double[] z,
      float[] s,
      int off,
      int rows,
      int dim) {
    double alpha = schedule.a(op);
    double stepSize;
    if (spec.corrector() == CorrectorKind.LANGEVIN) {
      double ratio =
          spec.snr() * meanRowNorm(i -> z[i], rows, dim) / meanRowNorm(i -> s[off + i], rows, dim);
      stepSize = 2 * alpha * ratio * ratio;
    } else {
      double std = schedule.b(op);
      stepSize = 2 * alpha * spec.snr() * spec.snr() * std * std;
    }
    double noiseScale = Math.sqrt(2 * stepSize);
    for (int i = 0; i < x.length; i++) {
      xMean[i] = x[i] + stepSize * s[off + i];
      x[i] = xMean[i] + noiseScale * z[i];
    }
  }

  /** Mean over the rows of the Euclidean norm of each row of {@code value(i)}, i from 0. */
  private static double meanRowNorm(IntToDoubleFunction value, int rows, int dim) {
    double sum = 0;
    for (int r = 0; r < rows; r++) {
      double sq = 0;
      for (int j = 0; j < dim; j++) {
        double e = value.applyAsDouble(r * dim + j);
        sq += e * e;
      }
      sum += Math.sqrt(sq);
    }
    return sum / rows;
  }
}
