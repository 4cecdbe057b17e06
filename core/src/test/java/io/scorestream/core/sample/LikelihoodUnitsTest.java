package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.model.DataScaling;
import org.junit.jupiter.api.Test;

/** Bits per dimension and dequantisation as score_sde's evaluation defines them. */
class LikelihoodUnitsTest {
  /**
   * A density uniform over the data cube [0, 1]^D puts 1/256^D on every 8-bit cell: exactly 8 bits
   * per dimension.
   */
  @Test
  void uniformDensityOverTheCubeIsEightBitsPerDimension() {
    int d = 784;
    // uniform over [-1, 1]^D in model space (centred) and over [0, 1]^D with no scaling
    assertEquals(
        8, LikelihoodUnits.bitsPerDimension(-d * Math.log(2), d, DataScaling.CENTERED), 1e-12);
    assertEquals(8, LikelihoodUnits.bitsPerDimension(0, d, DataScaling.IDENTITY), 1e-12);
    assertEquals(0, LikelihoodUnits.dataNats(-d * Math.log(2), d, DataScaling.CENTERED), 1e-9);
  }

  @Test
  void dequantisedValuesStayInTheirCellAndOtherValuesAreRefused() {
    float[] levels = {0, 1 / 255f, 128 / 255f, 1};
    double[] x = LikelihoodUnits.dequantize(levels, 3);
    for (int i = 0; i < levels.length; i++) {
      long k = Math.round(levels[i] * 255);
      assertTrue(x[i] >= k / 256.0 && x[i] < (k + 1) / 256.0, "value " + i + " -> " + x[i]);
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LikelihoodUnits.dequantize(new float[] {128 / 255f, 85.5f / 255}, 1));
    assertTrue(e.getMessage().contains("value 1"), e.getMessage());
  }
}
