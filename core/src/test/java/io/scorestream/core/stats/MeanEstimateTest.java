package io.scorestream.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MeanEstimateTest {
  @Test
  void standardErrorIsTheBesselCorrectedDeviationOverRootN() {
    // values 1..4: mean 2.5, sample variance 5/3, standard error sqrt(5/3 / 4)
    MeanEstimate estimate = MeanEstimate.of(new double[] {1, 2, 3, 4});
    assertEquals(2.5, estimate.mean(), 1e-15);
    assertEquals(Math.sqrt(5.0 / 12.0), estimate.standardError(), 1e-15);
    assertEquals(4, estimate.count());
  }

  @Test
  void oneDrawHasAMeanButNoStandardError() {
    MeanEstimate estimate = MeanEstimate.of(new double[] {3.25});
    assertEquals(3.25, estimate.mean());
    assertTrue(Double.isNaN(estimate.standardError()));
  }

  @Test
  void noDrawsHaveNeither() {
    MeanEstimate estimate = MeanEstimate.of(new double[0]);
    assertTrue(Double.isNaN(estimate.mean()));
    assertTrue(Double.isNaN(estimate.standardError()));
  }
}
