package io.scorestream.core.sample;

/**
 * Coefficients of an explicit Runge–Kutta method: nodes c, matrix a (row s has s entries), weights
 * b, and for embedded pairs the error weights e over the stages plus the FSAL evaluation (Hairer,
 * Nørsett and Wanner, "Solving Ordinary Differential Equations I", section II.5).
 */
record ButcherTableau(double[] c, double[][] a, double[] b, double[] e, int errorOrder) {

  static final ButcherTableau EULER =
      new ButcherTableau(new double[] {0}, new double[][] {{}}, new double[] {1}, null, 0);

  static final ButcherTableau HEUN =
      new ButcherTableau(
          new double[] {0, 1}, new double[][] {{}, {1}}, new double[] {0.5, 0.5}, null, 0);

  static final ButcherTableau RK4 =
      new ButcherTableau(
          new double[] {0, 0.5, 0.5, 1},
          new double[][] {{}, {0.5}, {0, 0.5}, {0, 0, 1}},
          new double[] {1 / 6.0, 1 / 3.0, 1 / 3.0, 1 / 6.0},
          null,
          0);

  /** Dormand–Prince 5(4), with the error weights scipy's RK45 uses (error estimator of order 4). */
  static final ButcherTableau DORMAND_PRINCE =
      new ButcherTableau(
          new double[] {0, 1 / 5.0, 3 / 10.0, 4 / 5.0, 8 / 9.0, 1},
          new double[][] {
            {},
            {1 / 5.0},
            {3 / 40.0, 9 / 40.0},
            {44 / 45.0, -56 / 15.0, 32 / 9.0},
            {19372 / 6561.0, -25360 / 2187.0, 64448 / 6561.0, -212 / 729.0},
            {9017 / 3168.0, -355 / 33.0, 46732 / 5247.0, 49 / 176.0, -5103 / 18656.0}
          },
          new double[] {35 / 384.0, 0, 500 / 1113.0, 125 / 192.0, -2187 / 6784.0, 11 / 84.0},
          new double[] {
            -71 / 57600.0, 0, 71 / 16695.0, -71 / 1920.0, 17253 / 339200.0, -22 / 525.0, 1 / 40.0
          },
          4);

  static ButcherTableau of(OdeMethod method) {
    return switch (method) {
      case EULER -> EULER;
      case HEUN -> HEUN;
      case RK4 -> RK4;
      case DORMAND_PRINCE -> DORMAND_PRINCE;
    };
  }

  int stages() {
    return c.length;
  }

  /** {@code out = y + h * sum_l a[s][l] k[l]}. */
  void stageState(int s, double[] y, double h, double[][] k, double[] out) {
    combine(y, h, a[s], k, out);
  }

  /** {@code out = y + h * sum_l w[l] k[l]}. */
  static void combine(double[] y, double h, double[] w, double[][] k, double[] out) {
    for (int i = 0; i < y.length; i++) {
      double acc = 0;
      for (int l = 0; l < w.length; l++) {
        acc += w[l] * k[l][i];
      }
      out[i] = y[i] + h * acc;
    }
  }
}
