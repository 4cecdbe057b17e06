package io.scorestream.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Fréchet distance agrees with its closed forms, and its sample version converges to the exact
 * one.
 */
class FrechetDistanceTest {
  @Test
  void diagonalCovariancesGiveTheSumOfSquaredDifferencesOfMeansAndStandardDeviations() {
    double[] mu1 = {0, 1, 2};
    double[] mu2 = {1, 1, 0};
    double[] sd1 = {1, 2, 0.5};
    double[] sd2 = {2, 1, 0.5};
    double expected = 1 + 0 + 4 + 1 + 1 + 0;
    assertEquals(expected, FrechetDistance.between(mu1, diag(sd1), mu2, diag(sd2)), 1e-9);
  }

  @Test
  void nonCommutingTwoByTwoCovariancesMatchTheClosedForm() {
    // for 2 x 2: tr sqrt(S1 S2) = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2))
    double[][] s1 = {{2, 0.8}, {0.8, 1}};
    double[][] s2 = {{1, -0.3}, {-0.3, 3}};
    double trProduct =
        s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
    double det1 = s1[0][0] * s1[1][1] - s1[0][1] * s1[1][0];
    double det2 = s2[0][0] * s2[1][1] - s2[0][1] * s2[1][0];
    double rootTrace = Math.sqrt(trProduct + 2 * Math.sqrt(det1 * det2));
    double expected = 0.25 + (2 + 1 + 1 + 3) - 2 * rootTrace;
    assertEquals(
        expected,
        FrechetDistance.between(new double[] {0.5, 0}, s1, new double[] {0, 0}, s2),
        1e-9);
    assertEquals(
        0,
        FrechetDistance.between(new double[] {1, 2}, s1, new double[] {1, 2}, s1),
        1e-9,
        "a Gaussian is at distance zero from itself");
  }

  @Test
  void twoLargeSamplesOfTheSameGaussianAreCloseAndOfShiftedOnesAreTheShiftApart() {
    int n = 20_000;
    int f = 8;
    double[][] a = gaussian(n, f, 0, 1);
    double[][] b = gaussian(n, f, 0, 2);
    double[][] c = gaussian(n, f, 1, 3);
    // the sample estimate's bias is about 2 f^2 / n per unit variance (moments of Wishart
    // matrices): ~0.0064 here
    assertEquals(0, FrechetDistance.between(a, b), 0.05);
    assertEquals(f, FrechetDistance.between(a, c), 0.2, "|mu shift|^2 = f");
  }

  private static double[][] gaussian(int n, int f, double shift, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] rows = new double[n][f];
    for (double[] r : rows) {
      double common = random.nextGaussian();
      for (int j = 0; j < f; j++) {
        r[j] = shift + random.nextGaussian() + 0.5 * common; // correlated features
      }
    }
    return rows;
  }

  private static double[][] diag(double[] sd) {
    double[][] m = new double[sd.length][sd.length];
    for (int i = 0; i < sd.length; i++) {
      m[i][i] = sd[i] * sd[i];
    }
    return m;
  }
}
