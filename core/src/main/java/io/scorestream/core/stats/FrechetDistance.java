package io.scorestream.core.stats;

/**
 * The Fréchet (2-Wasserstein) distance between Gaussians fitted to two samples of feature vectors,
 * the formula of the FID (Heusel et al., "GANs trained by a two time-scale update rule converge to
 * a local Nash equilibrium", NeurIPS 2017): {@code |mu_1 - mu_2|^2 + tr(S_1 + S_2 - 2 (S_1
 * S_2)^(1/2))}, in squared feature units. The trace of the matrix square root is taken as the sum
 * of the square roots of the eigenvalues of the symmetric {@code S_1^(1/2) S_2 S_1^(1/2)}, which
 * has the eigenvalues of {@code S_1 S_2}; eigenvalues come from the cyclic Jacobi method, exact to
 * rounding for the few dozen features used here.
 */
public final class FrechetDistance {
  private FrechetDistance() {}

  /** The distance between Gaussians fitted to sample rows {@code a [n][F]} and {@code b [m][F]}. */
  public static double between(double[][] a, double[][] b) {
    return between(mean(a), covariance(a), mean(b), covariance(b));
  }

  /**
   * The distance between two Gaussians given by their means {@code [F]} and covariances {@code
   * [F][F]}.
   */
  public static double between(double[] mu1, double[][] s1, double[] mu2, double[][] s2) {
    int f = mu1.length;
    double d = 0;
    double trace = 0;
    for (int i = 0; i < f; i++) {
      d += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
      trace += s1[i][i] + s2[i][i];
    }
    double[][] root = sqrtPsd(s1);
    double[][] m = multiply(multiply(root, s2), root);
    double rootTrace = 0;
    for (double lambda : eigenvalues(symmetrise(m))) {
      rootTrace += Math.sqrt(Math.max(0, lambda));
    }
    return Math.max(0, d + trace - 2 * rootTrace);
  }

  /** Column means of rows {@code [n][F]}. */
  public static double[] mean(double[][] rows) {
    double[] mu = new double[rows[0].length];
    for (double[] r : rows) {
      for (int j = 0; j < mu.length; j++) {
        mu[j] += r[j] / rows.length;
      }
    }
    return mu;
  }

  /** The unbiased covariance of rows {@code [n][F]}, n at least 2. */
  public static double[][] covariance(double[][] rows) {
    if (rows.length < 2) {
      throw new IllegalArgumentException("a covariance needs two rows or more, not " + rows.length);
    }
    double[] mu = mean(rows);
    int f = mu.length;
    double[][] c = new double[f][f];
    for (double[] r : rows) {
      for (int i = 0; i < f; i++) {
        double di = r[i] - mu[i];
        for (int j = i; j < f; j++) {
          c[i][j] += di * (r[j] - mu[j]) / (rows.length - 1);
        }
      }
    }
    for (int i = 0; i < f; i++) {
      for (int j = 0; j < i; j++) {
        c[i][j] = c[j][i];
      }
    }
    return c;
  }

  /** The square root of a symmetric positive semi-definite matrix, through its eigenvectors. */
  static double[][] sqrtPsd(double[][] s) {
    int f = s.length;
    double[][] a = copy(s);
    double[][] v = jacobi(a);
    double[][] out = new double[f][f];
    for (int k = 0; k < f; k++) {
      double root = Math.sqrt(Math.max(0, a[k][k]));
      for (int i = 0; i < f; i++) {
        for (int j = 0; j < f; j++) {
          out[i][j] += v[i][k] * root * v[j][k];
        }
      }
    }
    return out;
  }

  /** The eigenvalues of a symmetric matrix. */
  static double[] eigenvalues(double[][] s) {
    double[][] a = copy(s);
    jacobi(a);
    double[] lambda = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      lambda[i] = a[i][i];
    }
    return lambda;
  }

  /**
   * Diagonalises symmetric {@code a} in place by cyclic Jacobi rotations (Golub and Van Loan, 8.5)
   * and returns the eigenvectors as columns; the eigenvalues are left on the diagonal.
   */
  private static double[][] jacobi(double[][] a) {
    int f = a.length;
    double[][] v = new double[f][f];
    for (int i = 0; i < f; i++) {
      v[i][i] = 1;
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      double total = 0;
      for (int i = 0; i < f; i++) {
        for (int j = 0; j < f; j++) {
          total += a[i][j] * a[i][j];
          if (i != j) {
            off += a[i][j] * a[i][j];
          }
        }
      }
      if (off <= 1e-30 * Math.max(total, 1e-300)) {
        break;
      }
      for (int p = 0; p < f - 1; p++) {
        for (int q = p + 1; q < f; q++) {
          if (a[p][q] == 0) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t =
              Math.signum(theta == 0 ? 1 : theta)
                  / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < f; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < f; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          for (int k = 0; k < f; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
          }
        }
      }
    }
    return v;
  }

  private static double[][] multiply(double[][] x, double[][] y) {
    int f = x.length;
    double[][] out = new double[f][f];
    for (int i = 0; i < f; i++) {
      for (int k = 0; k < f; k++) {
        double xik = x[i][k];
        for (int j = 0; j < f; j++) {
          out[i][j] += xik * y[k][j];
        }
      }
    }
    return out;
  }

  private static double[][] symmetrise(double[][] m) {
    int f = m.length;
    double[][] out = new double[f][f];
    for (int i = 0; i < f; i++) {
      for (int j = 0; j < f; j++) {
        out[i][j] = (m[i][j] + m[j][i]) / 2;
      }
    }
    return out;
  }

  private static double[][] copy(double[][] m) {
    double[][] out = new double[m.length][];
    for (int i = 0; i < m.length; i++) {
      out[i] = m[i].clone();
    }
    return out;
  }
}
