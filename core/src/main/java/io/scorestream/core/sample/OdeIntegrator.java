package io.scorestream.core.sample;

/**
 * An explicit Runge–Kutta integration of {@code dy/dt = F(y, t)} from {@code t0} to {@code t1}
 * (either direction), written as a sequence of derivative requests so that a batched process can
 * score many jobs' requests in one model call: {@link #point()} and {@link #time()} say where
 * {@code F} is wanted next, {@link #supply} gives it. Fixed-step methods take {@code steps} equal
 * steps; the embedded Dormand–Prince pair follows scipy's {@code solve_ivp(method="RK45")}, which
 * Song et al.'s reference code calls: its initial step selection, the RMS error norm over the whole
 * state with scale {@code atol + rtol max(|y|, |y_new|)}, safety 0.9 and step factors in [0.2, 10]
 * (Hairer, Nørsett and Wanner, "Solving Ordinary Differential Equations I", II.4). The state is
 * double.
 */
final class OdeIntegrator {
  private enum Phase {
    FIRST_DERIVATIVE,
    INITIAL_STEP,
    STAGE,
    DONE
  }

  private final ButcherTableau tableau;
  private final boolean adaptive;
  private final double t0;
  private final double t1;
  private final double direction;
  private final int steps;
  private final double rtol;
  private final double atol;
  private final double[] y;
  private final double[] stage;
  private final double[] yNew;
  private final double[][] k;
  private double[] point;
  private double pointTime;
  private Phase phase;
  private int s;
  private double t;
  private double h;
  private double hAbs;
  private double tNew;
  private double d1;
  private boolean stepRejected;
  private int acceptedSteps;
  private String failure;

  /**
   * @param y0 the initial state (copied)
   * @param steps the number of steps of a fixed-step method (ignored by an adaptive one)
   */
  OdeIntegrator(
      ButcherTableau tableau,
      double[] y0,
      double t0,
      double t1,
      int steps,
      double rtol,
      double atol) {
    if (!(t0 != t1) || !Double.isFinite(t0) || !Double.isFinite(t1)) {
      throw new IllegalArgumentException(
          "an integration runs between two different finite times, not " + t0 + " and " + t1);
    }
    this.tableau = tableau;
    this.adaptive = tableau.e() != null;
    this.t0 = t0;
    this.t1 = t1;
    this.direction = Math.signum(t1 - t0);
    this.steps = steps;
    this.rtol = rtol;
    this.atol = atol;
    int n = y0.length;
    y = y0.clone();
    stage = new double[n];
    yNew = new double[n];
    k = new double[tableau.stages() + (adaptive ? 1 : 0)][n];
    t = t0;
    phase = adaptive ? Phase.FIRST_DERIVATIVE : Phase.STAGE;
    if (!adaptive) {
      h = (t1 - t0) / steps;
    }
    request(y, t);
  }

  /** The state at which the next derivative is wanted; valid until {@link #supply}. */
  double[] point() {
    return point;
  }

  /** The time at which the next derivative is wanted. */
  double time() {
    return pointTime;
  }

  boolean done() {
    return phase == Phase.DONE || failure != null;
  }

  /** Why the integration stopped early (the step size collapsed), or null. */
  String failure() {
    return failure;
  }

  /** The current state: the solution at {@link #t()} (at t1 once done). */
  double[] state() {
    return y;
  }

  /** The time the state has reached. */
  double t() {
    return t;
  }

  int acceptedSteps() {
    return acceptedSteps;
  }

  boolean adaptive() {
    return adaptive;
  }

  /** The fraction of the interval covered so far, in [0, 1]. */
  double fraction() {
    return phase == Phase.DONE ? 1 : Math.min(1, (t - t0) / (t1 - t0));
  }

  /** Supplies {@code F(point(), time())}. */
  void supply(double[] derivative) {
    switch (phase) {
      case FIRST_DERIVATIVE -> firstDerivative(derivative);
      case INITIAL_STEP -> initialStep(derivative);
      case STAGE -> {
        if (adaptive) {
          adaptiveStage(derivative);
        } else {
          fixedStage(derivative);
        }
      }
      case DONE -> throw new IllegalStateException("the integration has finished");
    }
  }

  private void request(double[] at, double time) {
    point = at;
    pointTime = time;
  }

  // ---- fixed step

  private void fixedStage(double[] f) {
    System.arraycopy(f, 0, k[s], 0, f.length);
    if (s + 1 < tableau.stages()) {
      s++;
      tableau.stageState(s, y, h, k, stage);
      request(stage, t + tableau.c()[s] * h);
      return;
    }
    ButcherTableau.combine(y, h, tableau.b(), k, y);
    acceptedSteps++;
    t = t0 + acceptedSteps * h;
    if (acceptedSteps == steps) {
      t = t1;
      phase = Phase.DONE;
    } else {
      s = 0;
      request(y, t);
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

  private void firstDerivative(double[] f) {
    System.arraycopy(f, 0, k[0], 0, f.length);
    for (int i = 0; i < y.length; i++) {
      stage[i] = atol + Math.abs(y[i]) * rtol;
    }
    double d0 = rms(y, stage);
    d1 = rms(k[0], stage);
    // scipy (1.11 on) keeps the trial step inside the interval: a point that barely moves at t0
    // (data on a mode, where the score vanishes) would otherwise probe the model far past t1
    h = Math.min(d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1, Math.abs(t1 - t0));
    for (int i = 0; i < y.length; i++) {
      yNew[i] = y[i] + direction * h * k[0][i];
    }
    phase = Phase.INITIAL_STEP;
    request(yNew, t + direction * h);
  }

  private void initialStep(double[] f) {
    double h0 = h;
    double[] f1 = k[1];
    for (int i = 0; i < y.length; i++) {
      f1[i] = f[i] - k[0][i];
    }
    double[] scale = stage;
    for (int i = 0; i < y.length; i++) {
      scale[i] = atol + Math.abs(y[i]) * rtol;
    }
    double d2 = rms(f1, scale) / h0;
    double h1 =
        d1 <= 1e-15 && d2 <= 1e-15
            ? Math.max(1e-6, h0 * 1e-3)
            : Math.pow(0.01 / Math.max(d1, d2), 1.0 / (tableau.errorOrder() + 1));
    hAbs = Math.min(Math.min(100 * h0, h1), Math.abs(t1 - t0));
    phase = Phase.STAGE;
    beginAdaptiveStep();
  }

  private void beginAdaptiveStep() {
    double next = direction > 0 ? Math.nextUp(t) : Math.nextDown(t);
    double minStep = 10 * Math.abs(next - t);
    if (hAbs < minStep) {
      failure = "the ODE step size fell below " + minStep + " at t=" + t + "; loosen rtol/atol";
      return;
    }
    h = direction * hAbs;
    tNew = t + h;
    if (direction * (tNew - t1) > 0) {
      tNew = t1;
      h = tNew - t;
      hAbs = Math.abs(h);
    }
    s = 1;
    tableau.stageState(1, y, h, k, stage);
    request(stage, t + tableau.c()[1] * h);
  }

  private void adaptiveStage(double[] f) {
    int stages = tableau.stages();
    if (s < stages) {
      System.arraycopy(f, 0, k[s], 0, f.length);
      if (s + 1 < stages) {
        s++;
        tableau.stageState(s, y, h, k, stage);
        request(stage, t + tableau.c()[s] * h);
      } else {
        ButcherTableau.combine(y, h, tableau.b(), k, yNew);
        s = stages;
        request(yNew, tNew);
      }
      return;
    }
    System.arraycopy(f, 0, k[stages], 0, f.length);
    double sum = 0;
    double[] e = tableau.e();
    for (int i = 0; i < y.length; i++) {
      double acc = 0;
      for (int l = 0; l < e.length; l++) {
        acc += e[l] * k[l][i];
      }
      double scale = atol + Math.max(Math.abs(y[i]), Math.abs(yNew[i])) * rtol;
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
      if (direction * (t - t1) >= 0) {
        phase = Phase.DONE;
        return;
      }
    } else {
      hAbs *= Math.max(0.2, 0.9 * Math.pow(errorNorm, exponent));
      stepRejected = true;
    }
    beginAdaptiveStep();
  }
}
