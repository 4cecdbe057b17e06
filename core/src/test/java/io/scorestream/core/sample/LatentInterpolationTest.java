package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Spherical paths between codes: ends exact, the norm of equal-norm codes kept, a line where the
 * circle fails.
 */
class LatentInterpolationTest {
  @Test
  void pathStartsAndEndsAtTheCodesAndKeepsTheNormOfEqualNormCodes() {
    double[] a = {3, 0, 0, 4};
    double[] b = {0, 5, 0, 0};
    double[] path = LatentInterpolation.slerp(a, b, 5);
    for (int i = 0; i < 4; i++) {
      assertEquals(a[i], path[i], 1e-12);
      assertEquals(b[i], path[16 + i], 1e-12);
    }
    for (int k = 0; k < 5; k++) {
      double s = 0;
      for (int i = 0; i < 4; i++) {
        s += path[4 * k + i] * path[4 * k + i];
      }
      assertEquals(5, Math.sqrt(s), 1e-12, "norm of code " + k);
    }
    // the middle of a quarter circle: 5 (cos 45, sin 45) in the plane of a and b
    assertEquals(5 * Math.sqrt(0.5), path[8 + 1], 1e-12);
  }

  @Test
  void parallelCodesFollowAStraightLineAndBadCodesAreRefused() {
    double[] path = LatentInterpolation.slerp(new double[] {1, 1}, new double[] {3, 3}, 3);
    assertEquals(2, path[2], 1e-12);
    assertEquals(2, path[3], 1e-12);
    assertThrows(
        IllegalArgumentException.class,
        () -> LatentInterpolation.slerp(new double[2], new double[] {1, 0}, 3));
    assertThrows(
        IllegalArgumentException.class,
        () -> LatentInterpolation.slerp(new double[] {1}, new double[2], 3));
    assertThrows(
        IllegalArgumentException.class,
        () -> LatentInterpolation.slerp(new double[] {1}, new double[] {2}, 1));
  }
}
