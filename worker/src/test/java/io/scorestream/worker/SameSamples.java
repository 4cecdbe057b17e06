package io.scorestream.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "The same samples" across batch compositions. A job's noise and arithmetic do not depend on its batch-mates,
 * but ONNX Runtime's vectorised kernels may round a row by a float32 ulp differently by its position in the
 * batch, and those ulps add up over hundreds to tens of thousands of steps (seen: up to 2.5e-6 on values of
 * order 1). Batch-mates' noise would move samples by order 1, so {@code 1e-5 (1 + |x|)} still tells them apart.
 */
final class SameSamples {
  private SameSamples() {}

  static void assertSame(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": sample count");
    for (int i = 0; i < expected.length; i++) {
      float e = expected[i];
      float a = actual[i];
      int index = i;
      assertTrue(Math.abs(e - a) <= 1e-5 * (1 + Math.abs(e)),
          () -> what + ": value " + index + " is " + a + ", alone it is " + e);
    }
  }
}
