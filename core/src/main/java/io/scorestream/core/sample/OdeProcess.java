package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.LinearStep;
import io.scorestream.core.sde.Sde;

/**
 * Probability-flow ODE sampling, {@code dx/dt = f(x, t) - g(t)^2 s(x, t) / 2} from T to eps (Song et al. 2021,
 * section 4.3), with a fixed-step Runge–Kutta method or adaptive Dormand–Prince RK45. The adaptive controller is
 * scipy's {@code solve_ivp(method="RK45")}, which the reference code calls: RMS error norm over this job's whole
 * state with scale {@code atol + rtol max(|y|, |y_new|)}, safety 0.9, factors in [0.2, 10], scipy's initial step.
 * State is kept in double precision; the model is called in float32. An optional final step applies the
 * reverse-diffusion predictor's mean at eps (the reference's {@code denoise}).
 */
final class OdeProcess extends SamplingProcess {
  /** Discretisation used by the final denoising step, the reference code's default N. */
  static final int DENOISE_GRID = 1000;

  private enum Phase { FIRST_DERIVATIVE, INITIAL_STEP, STAGE, DENOISE, DONE }

  private final Sde sde;
  private final SamplerSpec spec;
  private final ButcherTableau tableau;
  private final boolean adaptive;
  private final double eps;
  private final double[] y;
  private final double[] stage;
  private final double[] yNew;
  private final double[][] k;
  private Phase phase;
  private int s;
  private double t;
  private double h;
  private double hAbs;
  private double tNew;
  private double d1;
  private boolean stepRejected;
  private int acceptedSteps;

  OdeProcess(Sde sde, SamplerSpec spec, int samples, int dimension, long[] labels, DataScaling scaling, long seed,
      double eps) {
    super(sde, samples, dimension, labels, scaling);
    this.sde = sde;
    this.spec = spec;
    this.tableau = ButcherTableau.of(spec.odeMethod());
    this.adaptive = tableau.e() != null;
    this.eps = eps;
    if (!(eps < sde.horizon())) {
      throw new IllegalArgumentException("eps " + eps + " must be below the SDE horizon T=" + sde.horizon());
    }
    int size = samples * dimension;
    y = new double[size];
    stage = new double[size];
    yNew = new double[size];
    k = new double[tableau.stages() + (adaptive ? 1 : 0)][size];
    if (spec.latent() != null) {
      if (spec.latent().length != size) {
        throw new IllegalArgumentException("latent has " + spec.latent().length + " values, expected " + size
            + " (" + samples + " samples of " + dimension + ")");
      }
      System.arraycopy(spec.latent(), 0, y, 0, size);
    } else {
      new GaussianNoise(seed).fill(y);
      for (int i = 0; i < size; i++) {
        y[i] *= sde.priorStd();
      }
    }
    t = sde.horizon();
    if (adaptive) {
      phase = Phase.FIRST_DERIVATIVE;
      setQuery(y, t);
    } else {
      h = (eps - sde.horizon()) / spec.steps();
      phase = Phase.STAGE;
      s = 0;
      setQuery(y, t);
    }
  }

  /** Probability-flow drift at (x, time) given its score, into out. */
  private void drift(double[] x, double time, float[] score, int off, double[] out) {
    double c = sde.driftCoefficient(time);
    double g = sde.diffusion(time);
    double half = 0.5 * g * g;
    for (int i = 0; i < x.length; i++) {
      out[i] = c * x[i] - half * score[off + i];
    }
  }

  @Override
  protected void advance(float[] score, int off) {
    switch (phase) {
      case FIRST_DERIVATIVE -> firstDerivative(score, off);
      case INITIAL_STEP -> initialStep(score, off);
      case STAGE -> {
        if (adaptive) {
          adaptiveStage(score, off);
        } else {
          fixedStage(score, off);
        }
      }
      case DENOISE -> denoise(score, off);
      case DONE -> throw new IllegalStateException("ODE already finished");
    }
  }

  // ---- fixed step

  private void fixedStage(float[] score, int off) {
    double ts = t + tableau.c()[s] * h;
    drift(s == 0 ? y : stage, ts, score, off, k[s]);
    if (s + 1 < tableau.stages()) {
      s++;
      tableau.stageState(s, y, h, k, stage);
      setQuery(stage, t + tableau.c()[s] * h);
      return;
    }
    ButcherTableau.combine(y, h, tableau.b(), k, y);
    acceptedSteps++;
    t = sde.horizon() + acceptedSteps * h;
    if (acceptedSteps == spec.steps()) {
      t = eps;
      finishIntegration();
    } else {
      s = 0;
      setQuery(y, t);
    }
  }

  // ---- adaptive Dormand–Prince, following scipy.integrate.RK45

  private double rms(double[] v, double[] scale) {
    double sum = 0;
    for (int i = 0; i < v.length; i++) {
      double e = v[i] / scale[i];
      sum += e * e;
    }
    return Math.sqrt(sum / v.length);
  }

  private void firstDerivative(float[] score, int off) {
    drift(y, t, score, off, k[0]);
    for (int i = 0; i < y.length; i++) {
      stage[i] = spec.atol() + Math.abs(y[i]) * spec.rtol();
    }
    double d0 = rms(y, stage);
    d1 = rms(k[0], stage);
    h = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
    for (int i = 0; i < y.length; i++) {
      yNew[i] = y[i] - h * k[0][i];
    }
    phase = Phase.INITIAL_STEP;
    setQuery(yNew, t - h);
  }

  private void initialStep(float[] score, int off) {
    double h0 = h;
    double[] f1 = k[1];
    drift(yNew, t - h0, score, off, f1);
    for (int i = 0; i < y.length; i++) {
      f1[i] -= k[0][i];
    }
    double[] scale = stage;
    for (int i = 0; i < y.length; i++) {
      scale[i] = spec.atol() + Math.abs(y[i]) * spec.rtol();
    }
    double d2 = rms(f1, scale) / h0;
    double h1 = d1 <= 1e-15 && d2 <= 1e-15
        ? Math.max(1e-6, h0 * 1e-3)
        : Math.pow(0.01 / Math.max(d1, d2), 1.0 / (tableau.errorOrder() + 1));
    hAbs = Math.min(100 * h0, h1);
    phase = Phase.STAGE;
    beginAdaptiveStep();
  }

  private void beginAdaptiveStep() {
    double minStep = 10 * Math.abs(Math.nextDown(t) - t);
    if (hAbs < minStep) {
      fail("the ODE step size fell below " + minStep + " at t=" + t + "; loosen rtol/atol");
      return;
    }
    h = -hAbs;
    tNew = t + h;
    if (tNew < eps) {
      tNew = eps;
      h = tNew - t;
      hAbs = Math.abs(h);
    }
    s = 1;
    tableau.stageState(1, y, h, k, stage);
    setQuery(stage, t + tableau.c()[1] * h);
  }

  private void adaptiveStage(float[] score, int off) {
    int stages = tableau.stages();
    if (s < stages) {
      drift(stage, t + tableau.c()[s] * h, score, off, k[s]);
      if (s + 1 < stages) {
        s++;
        tableau.stageState(s, y, h, k, stage);
        setQuery(stage, t + tableau.c()[s] * h);
      } else {
        ButcherTableau.combine(y, h, tableau.b(), k, yNew);
        s = stages;
        setQuery(yNew, tNew);
      }
      return;
    }
    drift(yNew, tNew, score, off, k[stages]);
    double sum = 0;
    double[] e = tableau.e();
    for (int i = 0; i < y.length; i++) {
      double acc = 0;
      for (int l = 0; l < e.length; l++) {
        acc += e[l] * k[l][i];
      }
      double scale = spec.atol() + Math.max(Math.abs(y[i]), Math.abs(yNew[i])) * spec.rtol();
      double err = h * acc / scale;
      sum += err * err;
    }
    double errorNorm = Math.sqrt(sum / y.length);
    double exponent = -1.0 / (tableau.errorOrder() + 1);
    if (errorNorm < 1) {
      double factor = errorNorm == 0 ? 10 : Math.min(10, 0.9 * Math.pow(errorNorm, exponent));
      if (stepRejected) {
        factor = Math.min(1, factor);
      }
      hAbs *= factor;
      stepRejected = false;
      System.arraycopy(yNew, 0, y, 0, y.length);
      double[] fsal = k[0];
      k[0] = k[stages];
      k[stages] = fsal;
      t = tNew;
      acceptedSteps++;
      if (t <= eps) {
        finishIntegration();
        return;
      }
    } else {
      hAbs *= Math.max(0.2, 0.9 * Math.pow(errorNorm, exponent));
      stepRejected = true;
    }
    beginAdaptiveStep();
  }

  // ---- end

  private void finishIntegration() {
    if (spec.denoise()) {
      phase = Phase.DENOISE;
      setQuery(y, eps);
    } else {
      phase = Phase.DONE;
    }
  }

  private void denoise(float[] score, int off) {
    LinearStep step = sde.discretise(eps, DENOISE_GRID);
    double g2 = step.g() * step.g();
    for (int i = 0; i < y.length; i++) {
      y[i] = y[i] - step.driftFactor() * y[i] + g2 * score[off + i];
    }
    phase = Phase.DONE;
  }

  @Override
  public StepProgress progress() {
    double fraction = Math.min(1, (sde.horizon() - t) / (sde.horizon() - eps));
    return new StepProgress(acceptedSteps, adaptive ? -1 : spec.steps(), t, nfe(),
        phase == Phase.DONE ? 1 : fraction);
  }

  @Override
  protected boolean done() {
    return phase == Phase.DONE;
  }

  @Override
  protected double[] output() {
    return y;
  }
}
