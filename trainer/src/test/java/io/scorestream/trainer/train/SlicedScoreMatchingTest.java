package io.scorestream.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sliced score matching's loss, as the trainer computes it, has the expectation of explicit score
 * matching less a constant, on a Gaussian whose score is known: for any score function {@code s},
 * {@code E[v' grad s v + |s|^2 / 2] = E|s - grad log p|^2 / 2 - tr(Sigma^-1) / 2} when {@code x ~
 * N(mu, Sigma)} (Hyvärinen 2005; Song et al. 2019, eq. 8).
 */
class SlicedScoreMatchingTest {
  /** p = N(mu, Sigma) in three dimensions, Sigma symmetric positive definite. */
  private static final double[] MU = {0.5, -1.0, 2.0};

  private static final double[][] SIGMA = {{1.0, 0.3, 0.0}, {0.3, 0.5, 0.1}, {0.0, 0.1, 2.0}};

  /** Cholesky factor of SIGMA, to draw from p. */
  private static final double[][] CHOL = cholesky(SIGMA);

  private static final double[][] PRECISION = inverse(SIGMA);

  private static final int N = 200_000;

  /** The noise level the loss is written at; not 1, so that its scaling is tested too. */
  private static final double NOISE = 0.1;

  private static final double KAPPA = 0.1;

  /**
   * A score function {@code s(x) = -P (x - m) + c * tanh(x)} (elementwise): linear ones include the
   * true score, tanh makes the finite difference approximate.
   */
  private record Score(double[][] p, double[] m, double[] c) {
    double[] at(double[] x) {
      double[] s = new double[3];
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          s[i] -= p[i][j] * (x[j] - m[j]);
        }
        s[i] += c[i] * Math.tanh(x[i]);
      }
      return s;
    }
  }

  private static Score[] scores() {
    return new Score[] {
      new Score(PRECISION, MU, new double[3]),
      new Score(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, new double[3], new double[3]),
      new Score(PRECISION, new double[] {0, 0, 0}, new double[] {0.5, -0.8, 0.3}),
      new Score(
          new double[][] {{2, 0.5, 0}, {0.5, 1, 0}, {0, 0, 0.2}},
          new double[] {1, 1, 1},
          new double[] {-1, 0.4, 0})
    };
  }

  @ParameterizedTest
  @EnumSource(Objective.Projection.class)
  void theLossExpectsExplicitScoreMatchingLessHalfTheTraceOfThePrecision(
      Objective.Projection projection) {
    double constant = (PRECISION[0][0] + PRECISION[1][1] + PRECISION[2][2]) / 2;
    double[] means = new double[scores().length];
    double[] explicit = new double[scores().length];
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int k = 0; k < scores().length; k++) {
        Score score = scores()[k];
        SplittableRandom random = new SplittableRandom(17 + k);
        float[] x = new float[N * 3];
        for (int i = 0; i < N; i++) {
          double[] z = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
          for (int a = 0; a < 3; a++) {
            double value = MU[a];
            for (int b = 0; b <= a; b++) {
              value += CHOL[a][b] * z[b];
            }
            x[i * 3 + a] = (float) value;
          }
        }
        float[] v = new float[N * 3];
        SlicedScoreMatching.directions(projection, random, v);
        float[] sigma = new float[N];
        Arrays.fill(sigma, (float) NOISE);
        float[] pair = new float[2 * N * 3];
        SlicedScoreMatching.pair(x, v, sigma, KAPPA, pair);
        float[] predicted = new float[pair.length];
        for (int i = 0; i < 2 * N; i++) {
          double[] s = score.at(row(pair, i));
          for (int a = 0; a < 3; a++) {
            predicted[i * 3 + a] = (float) (-NOISE * s[a]);
          }
        }
        float[] loss =
            SlicedScoreMatching.perExample(
                    manager.create(predicted, new Shape(2L * N, 3)),
                    manager.create(v, new Shape(N, 3)),
                    KAPPA)
                .toFloatArray();
        // d_i = ssm_i - esm_i, whose mean is -constant; its spread sets the tolerance
        double sum = 0;
        double sumSquares = 0;
        double esm = 0;
        for (int i = 0; i < N; i++) {
          double[] xi = row(x, i);
          double[] s = score.at(xi);
          double e = 0;
          for (int a = 0; a < 3; a++) {
            double truth = 0;
            for (int b = 0; b < 3; b++) {
              truth -= PRECISION[a][b] * (xi[b] - MU[b]);
            }
            e += (s[a] - truth) * (s[a] - truth) / 2;
          }
          double d = loss[i] / (NOISE * NOISE) - e;
          sum += d;
          sumSquares += d * d;
          esm += e;
        }
        double mean = sum / N;
        double standardError = Math.sqrt((sumSquares / N - mean * mean) / N);
        assertEquals(
            -constant,
            mean,
            4 * standardError,
            "score " + k + ": SSM - ESM against -tr(Sigma^-1) / 2, 4 standard errors");
        means[k] = sum / N + esm / N;
        explicit[k] = esm / N;
      }
    }
    assertEquals(0, explicit[0], 1e-9, "the true score has no explicit score matching loss");
    for (int k = 1; k < means.length; k++) {
      assertTrue(
          explicit[k] > 0.1 && means[k] > means[0],
          "score " + k + " is worse than the true one by both: " + means[k] + " vs " + means[0]);
    }
  }

  private static double[] row(float[] values, int i) {
    return new double[] {values[i * 3], values[i * 3 + 1], values[i * 3 + 2]};
  }

  private static double[][] cholesky(double[][] a) {
    int n = a.length;
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = a[i][j];
        for (int k = 0; k < j; k++) {
          s -= l[i][k] * l[j][k];
        }
        l[i][j] = i == j ? Math.sqrt(s) : s / l[j][j];
      }
    }
    return l;
  }

  private static double[][] inverse(double[][] a) {
    double det =
        a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    double[][] inv = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        int r0 = (j + 1) % 3;
        int r1 = (j + 2) % 3;
        int c0 = (i + 1) % 3;
        int c1 = (i + 2) % 3;
        inv[i][j] = (a[r0][c0] * a[r1][c1] - a[r0][c1] * a[r1][c0]) / det;
      }
    }
    return inv;
  }
}
