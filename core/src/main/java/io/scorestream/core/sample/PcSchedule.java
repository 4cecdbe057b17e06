package io.scorestream.core.sample;

import io.scorestream.core.sde.AncestralStep;
import io.scorestream.core.sde.LinearStep;
import io.scorestream.core.sde.Sde;

/**
 * The fixed part of a predictor–corrector run (Song et al. 2021, algorithm 1 and appendix G): the
 * order of its predictor and corrector steps over N times from T down to eps, and the coefficients
 * of each. It depends on the SDE and the schedule settings only, not on the job, so jobs with equal
 * settings share one ({@link PcSchedules}). Immutable once built; one entry per score evaluation
 * ("op"), 37 bytes each.
 *
 * <p>In the reference code's order each time runs its corrector steps, then its predictor; in the
 * paper's order the predictor comes first and the corrector steps run at the time it arrived at.
 */
final class PcSchedule {
  static final byte PREDICT = 0;
  static final byte CORRECT = 1;

  private final byte[] kind;
  private final double[] time;
  private final int[] step;
  private final double[] a;
  private final double[] b;
  private final double[] c;
  private final double horizon;
  private final double eps;
  private final int steps;

  /**
   * @param sde the model's SDE
   * @param spec PC settings: predictor, corrector, corrector steps, steps N, order
   * @param eps the smallest time, below the SDE's horizon T
   */
  PcSchedule(Sde sde, SamplerSpec spec, double eps) {
    SamplingProcess.checkEps(sde, eps);
    int n = spec.steps();
    this.horizon = sde.horizon();
    this.eps = eps;
    this.steps = n;
    int corrections = spec.corrector() == CorrectorKind.NONE ? 0 : spec.correctorSteps();
    int predictions = spec.predictor() == PredictorKind.NONE ? 0 : 1;
    boolean predictorFirst = spec.predictorFirst() && predictions == 1;
    int total = predictorFirst ? n + (n - 1) * corrections : n * (corrections + predictions);
    kind = new byte[total];
    time = new double[total];
    step = new int[total];
    int k = 0;
    for (int i = 0; i < n; i++) {
      double t = time(sde, i, n, eps);
      if (predictorFirst) {
        k = add(k, PREDICT, 1, t, i);
        if (i < n - 1) {
          k = add(k, CORRECT, corrections, time(sde, i + 1, n, eps), i);
        }
      } else {
        k = add(k, CORRECT, corrections, t, i);
        k = add(k, PREDICT, predictions, t, i);
      }
    }
    a = new double[total];
    b = new double[total];
    c = new double[total];
    for (int j = 0; j < total; j++) {
      coefficients(sde, spec, j);
    }
  }

  /** The reference grid {@code linspace(T, eps, N)}. */
  private static double time(Sde sde, int i, int n, double eps) {
    return n == 1 ? sde.horizon() : sde.horizon() + i * (eps - sde.horizon()) / (n - 1);
  }

  private int add(int k, byte opKind, int count, double t, int timeIndex) {
    for (int j = 0; j < count; j++, k++) {
      kind[k] = opKind;
      time[k] = t;
      step[k] = timeIndex;
    }
    return k;
  }

  /**
   * Fills op j's coefficients. Reverse diffusion: drift factor, G. Euler–Maruyama: drift
   * coefficient, g, dt. Ancestral: a, b2, noise std. Langevin: alpha. Annealed Langevin: alpha,
   * std(t).
   */
  private void coefficients(Sde sde, SamplerSpec spec, int j) {
    double t = time[j];
    int n = spec.steps();
    if (kind[j] == CORRECT) {
      a[j] = sde.langevinAlpha(t, n);
      b[j] = sde.marginalStd(t);
      return;
    }
    switch (spec.predictor()) {
      case REVERSE_DIFFUSION -> {
        LinearStep s = sde.discretise(t, n);
        a[j] = s.driftFactor();
        b[j] = s.g();
      }
      case EULER_MARUYAMA -> {
        a[j] = sde.driftCoefficient(t);
        b[j] = sde.diffusion(t);
        c[j] = sde.horizon() / n;
      }
      case ANCESTRAL -> {
        AncestralStep s = sde.ancestral(t, n);
        a[j] = s.a();
        b[j] = s.b2();
        c[j] = s.noiseStd();
      }
      case NONE ->
          throw new IllegalStateException("no predictor step is scheduled without a predictor");
    }
  }

  /**
   * Where a run stands after {@code op} evaluations of this schedule, {@code nfe} of them counted.
   */
  StepProgress progress(int op, long nfe) {
    int k = Math.min(op, length() - 1);
    int at = op == length() ? steps : step[k];
    return new StepProgress(at, steps, time[k], nfe, (double) op / length());
  }

  /** Score evaluations in the run. */
  int length() {
    return kind.length;
  }

  boolean corrects(int op) {
    return kind[op] == CORRECT;
  }

  /** The time t at which op's score is evaluated. */
  double time(int op) {
    return time[op];
  }

  /**
   * The time a predictor op arrives at: the next time of the grid, or 0 after the last step (whose
   * result is the sample).
   */
  double landing(int op) {
    int next = step[op] + 1;
    return next == steps ? 0 : horizon + next * (eps - horizon) / (steps - 1);
  }

  /** The index i of the time (0 at T) that op belongs to. */
  int step(int op) {
    return step[op];
  }

  double a(int op) {
    return a[op];
  }

  double b(int op) {
    return b[op];
  }

  double c(int op) {
    return c[op];
  }
}
