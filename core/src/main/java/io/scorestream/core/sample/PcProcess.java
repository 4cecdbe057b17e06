package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.AncestralStep;
import io.scorestream.core.sde.LinearStep;
import io.scorestream.core.sde.Sde;

/**
 * Predictor–corrector sampling (Song et al. 2021, algorithm 1 and appendix G) over N times from T down to eps.
 * In the reference code's order each time runs its corrector steps, then its predictor; in the paper's order the
 * predictor comes first and the corrector steps run at the time it arrived at. The result is the last mean
 * (the reference's {@code denoise}) or the last noisy state.
 *
 * <p>The Langevin corrector averages the score and noise norms over this job's samples only.
 */
final class PcProcess extends SamplingProcess {
  private static final byte PREDICT = 0;
  private static final byte CORRECT = 1;

  private final Sde sde;
  private final SamplerSpec spec;
  private final GaussianNoise noise;
  private final double[] x;
  private final double[] xMean;
  private final double[] z;
  private final byte[] opKind;
  private final double[] opTime;
  private final int[] opStep;
  /** Per op, the coefficients its update needs, computed once: see {@link #coefficients}. */
  private final double[] coefA;
  private final double[] coefB;
  private final double[] coefC;
  private int op;

  PcProcess(Sde sde, SamplerSpec spec, int samples, int dimension, long[] labels, DataScaling scaling, long seed,
      double eps) {
    super(sde, samples, dimension, labels, scaling);
    this.sde = sde;
    this.spec = spec;
    this.noise = new GaussianNoise(seed);
    int size = samples * dimension;
    this.x = new double[size];
    this.xMean = new double[size];
    this.z = new double[size];
    if (!(eps < sde.horizon())) {
      throw new IllegalArgumentException("eps " + eps + " must be below the SDE horizon T=" + sde.horizon());
    }
    int n = spec.steps();
    int c = spec.corrector() == CorrectorKind.NONE ? 0 : spec.correctorSteps();
    int p = spec.predictor() == PredictorKind.NONE ? 0 : 1;
    boolean predictorFirst = spec.predictorFirst() && p == 1;
    int total = predictorFirst ? n + (n - 1) * c : n * (c + p);
    opKind = new byte[total];
    opTime = new double[total];
    opStep = new int[total];
    int k = 0;
    for (int i = 0; i < n; i++) {
      double t = time(i, n, eps);
      if (predictorFirst) {
        k = addOps(k, PREDICT, 1, t, i);
        if (i < n - 1) {
          k = addOps(k, CORRECT, c, time(i + 1, n, eps), i);
        }
      } else {
        k = addOps(k, CORRECT, c, t, i);
        k = addOps(k, PREDICT, p, t, i);
      }
    }
    coefA = new double[total];
    coefB = new double[total];
    coefC = new double[total];
    for (int j = 0; j < total; j++) {
      coefficients(j);
    }
    noise.fill(x);
    double priorStd = sde.priorStd();
    for (int i = 0; i < size; i++) {
      x[i] *= priorStd;
    }
    System.arraycopy(x, 0, xMean, 0, size);
    setQuery(x, opTime[0]);
  }

  /** The reference grid {@code linspace(T, eps, N)}. */
  private double time(int i, int n, double eps) {
    return n == 1 ? sde.horizon() : sde.horizon() + i * (eps - sde.horizon()) / (n - 1);
  }

  /**
   * Fills op j's coefficients. Reverse diffusion: drift factor, G. Euler–Maruyama: drift coefficient, g, dt.
   * Ancestral: a, b2, noise std. Langevin: alpha. Annealed Langevin: alpha, std(t).
   */
  private void coefficients(int j) {
    double t = opTime[j];
    int n = spec.steps();
    if (opKind[j] == CORRECT) {
      coefA[j] = sde.langevinAlpha(t, n);
      coefB[j] = sde.marginalStd(t);
      return;
    }
    switch (spec.predictor()) {
      case REVERSE_DIFFUSION -> {
        LinearStep step = sde.discretise(t, n);
        coefA[j] = step.driftFactor();
        coefB[j] = step.g();
      }
      case EULER_MARUYAMA -> {
        coefA[j] = sde.driftCoefficient(t);
        coefB[j] = sde.diffusion(t);
        coefC[j] = sde.horizon() / n;
      }
      case ANCESTRAL -> {
        AncestralStep step = sde.ancestral(t, n);
        coefA[j] = step.a();
        coefB[j] = step.b2();
        coefC[j] = step.noiseStd();
      }
      case NONE -> throw new IllegalStateException("no predictor step is scheduled without a predictor");
    }
  }

  private int addOps(int k, byte kind, int count, double t, int step) {
    for (int j = 0; j < count; j++, k++) {
      opKind[k] = kind;
      opTime[k] = t;
      opStep[k] = step;
    }
    return k;
  }

  @Override
  protected void advance(float[] score, int offset) {
    noise.fill(z);
    if (opKind[op] == CORRECT) {
      correct(score, offset, op);
    } else {
      predict(score, offset, op);
    }
    op++;
    if (op < opKind.length) {
      setQuery(x, opTime[op]);
    }
  }

  private void predict(float[] s, int off, int j) {
    double a = coefA[j];
    double b = coefB[j];
    double c = coefC[j];
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
    double alpha = coefA[j];
    double stepSize;
    if (spec.corrector() == CorrectorKind.LANGEVIN) {
      double ratio = spec.snr() * meanRowNorm(i -> z[i]) / meanRowNorm(i -> s[off + i]);
      stepSize = 2 * alpha * ratio * ratio;
    } else {
      double std = coefB[j];
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
    int k = Math.min(op, opKind.length - 1);
    int step = op == opKind.length ? spec.steps() : opStep[k];
    return new StepProgress(step, spec.steps(), opTime[k], nfe(), (double) op / opKind.length);
  }

  @Override
  protected boolean done() {
    return op == opKind.length;
  }

  @Override
  protected double[] output() {
    return spec.denoise() ? xMean : x;
  }
}
