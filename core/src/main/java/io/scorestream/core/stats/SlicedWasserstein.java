package io.scorestream.core.stats;

import io.scorestream.core.analytic.GaussianMixture;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/**
 * Sliced 1-Wasserstein distance between a sample and an exactly known isotropic Gaussian mixture:
 * {@code SW(P_n, P) = mean over unit directions theta of W1(theta.P_n, theta.P)}, where each
 * projected W1 is {@code integral |F_n(x) - F(x)| dx}, computed against the projected mixture's
 * exact CDF (no second sample).
 *
 * <p>For n i.i.d. draws, {@code E W1(F_n, F) <= J(F) / sqrt(n)} with {@code J(F) = integral sqrt(F
 * (1 - F)) dx} (Bobkov and Ledoux, "One-dimensional empirical measures, order statistics, and
 * Kantorovich transport distances", Mem. AMS 2019, theorem 3.5); {@link #expectedBound} averages
 * that bound over the directions.
 */
public final class SlicedWasserstein {
  private SlicedWasserstein() {}

  /**
   * {@code count} unit directions in {@code dim} dimensions, uniform on the sphere, from a seed.
   */
  public static double[][] directions(int count, int dim, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] dirs = new double[count][dim];
    for (double[] d : dirs) {
      double norm = 0;
      for (int j = 0; j < dim; j++) {
        d[j] = random.nextGaussian();
        norm += d[j] * d[j];
      }
      norm = Math.sqrt(norm);
      for (int j = 0; j < dim; j++) {
        d[j] /= norm;
      }
    }
    return dirs;
  }

  /** The sliced W1 between sample rows {@code [n][D]} and the mixture. */
  public static double distance(double[][] samples, GaussianMixture target, double[][] directions) {
    double total = 0;
    for (double[] theta : directions) {
      total += projectedW1(samples, target, theta);
    }
    return total / directions.length;
  }

  /**
   * The sliced W1 between two samples of the same size n, {@code [n][D]} each: per direction, the
   * mean absolute difference of the sorted projections (the exact W1 of two empirical measures of
   * equal size).
   */
  public static double twoSample(double[][] a, double[][] b, double[][] directions) {
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException(
          "two samples of the same, positive size; got " + a.length + " and " + b.length);
    }
    double total = 0;
    for (double[] theta : directions) {
      double[] pa = project(a, theta);
      double[] pb = project(b, theta);
      Arrays.sort(pa);
      Arrays.sort(pb);
      double w = 0;
      for (int i = 0; i < pa.length; i++) {
        w += Math.abs(pa[i] - pb[i]);
      }
      total += w / pa.length;
    }
    return total / directions.length;
  }

  /**
   * What two independent samples of size n from the distribution of {@code sample} are expected to
   * be apart at most: {@code 2 mean over directions of J(F_theta) / sqrt(n)} (the one-sample bound
   * of Bobkov and Ledoux for each, with J estimated from {@code sample}'s own projections by
   * plug-in).
   */
  public static double twoSampleBound(double[][] sample, double[][] directions, int n) {
    double total = 0;
    for (double[] theta : directions) {
      double[] p = project(sample, theta);
      Arrays.sort(p);
      double j = 0;
      for (int i = 0; i + 1 < p.length; i++) {
        double f = (i + 1.0) / p.length;
        j += Math.sqrt(f * (1 - f)) * (p[i + 1] - p[i]);
      }
      total += j;
    }
    return 2 * total / directions.length / Math.sqrt(n);
  }

  /** Row-major float values {@code [n, dim]} as rows, the form the distances take. */
  public static double[][] rows(float[] values, int dim) {
    double[][] out = new double[values.length / dim][dim];
    for (int i = 0; i < out.length; i++) {
      for (int j = 0; j < dim; j++) {
        out[i][j] = values[i * dim + j];
      }
    }
    return out;
  }

  private static double[] project(double[][] rows, double[] theta) {
    double[] y = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < theta.length; j++) {
        y[i] += theta[j] * rows[i][j];
      }
    }
    return y;
  }

  /**
   * {@code mean over directions of J(F_theta) / sqrt(n)}: the expected SW of n exact draws is at
   * most this.
   */
  public static double expectedBound(GaussianMixture target, double[][] directions, int n) {
    double total = 0;
    for (double[] theta : directions) {
      Projection p = new Projection(target, theta);
      total +=
          integrate(
              x -> {
                double f = p.cdf(x);
                return Math.sqrt(Math.max(0, f * (1 - f)));
              },
              p.lo(),
              p.hi(),
              p.resolution());
    }
    return total / directions.length / Math.sqrt(n);
  }

  private static double projectedW1(double[][] samples, GaussianMixture target, double[] theta) {
    Projection p = new Projection(target, theta);
    int n = samples.length;
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double v = 0;
      for (int j = 0; j < theta.length; j++) {
        v += theta[j] * samples[i][j];
      }
      y[i] = v;
    }
    Arrays.sort(y);
    double h = p.resolution();
    double w = integrate(p::cdf, Math.min(p.lo(), y[0]), y[0], h);
    for (int i = 0; i + 1 < n; i++) {
      double level = (i + 1.0) / n;
      w += integrate(x -> Math.abs(level - p.cdf(x)), y[i], y[i + 1], h);
    }
    w += integrate(x -> 1 - p.cdf(x), y[n - 1], Math.max(p.hi(), y[n - 1]), h);
    return w;
  }

  /** Composite midpoint rule with pieces no wider than h. */
  private static double integrate(DoubleUnaryOperator f, double a, double b, double h) {
    if (!(b > a)) {
      return 0;
    }
    int pieces = (int) Math.ceil((b - a) / h);
    double width = (b - a) / pieces;
    double sum = 0;
    for (int i = 0; i < pieces; i++) {
      sum += f.applyAsDouble(a + (i + 0.5) * width);
    }
    return sum * width;
  }

  /** A mixture projected on a unit direction: a 1-D Gaussian mixture. */
  private static final class Projection {
    private final double[] weights;
    private final double[] means;
    private final double[] stds;
    private final double lo;
    private final double hi;
    private final double resolution;

    Projection(GaussianMixture m, double[] theta) {
      int k = m.components();
      weights = m.weights();
      means = new double[k];
      stds = m.stds();
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      double smallest = Double.POSITIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        for (int j = 0; j < theta.length; j++) {
          means[c] += theta[j] * m.means()[c][j];
        }
        lo = Math.min(lo, means[c] - 12 * stds[c]);
        hi = Math.max(hi, means[c] + 12 * stds[c]);
        smallest = Math.min(smallest, stds[c]);
      }
      this.lo = lo;
      this.hi = hi;
      this.resolution = smallest / 200;
    }

    double cdf(double x) {
      double f = 0;
      for (int c = 0; c < weights.length; c++) {
        f += weights[c] * Normal.cdf((x - means[c]) / stds[c]);
      }
      return f;
    }

    double lo() {
      return lo;
    }

    double hi() {
      return hi;
    }

    double resolution() {
      return resolution;
    }
  }
}
