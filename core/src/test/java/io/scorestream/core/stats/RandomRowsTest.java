package io.scorestream.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Rows drawn at random are a fair sample whatever the data's order: the training images that
 * CheckpointQuality's Fréchet floor is measured on, the rows NoiseScales measures.
 */
class RandomRowsTest {
  @Test
  void rowsAreDrawnWithoutReplacementFromTheWholeSetNotItsFirstRows() {
    int count = 3400;
    int d = 2;
    float[] rows = new float[count * d];
    for (int i = 0; i < count; i++) {
      rows[i * d] = i; // sorted, as a directory read in file-name order is grouped by class
      rows[i * d + 1] = -i;
    }
    int n = 500;
    float[] drawn = RandomRows.of(rows, d, n, 11);
    assertEquals(n * d, drawn.length);
    Set<Float> seen = new HashSet<>();
    double mean = 0;
    for (int i = 0; i < n; i++) {
      assertEquals(-drawn[i * d], drawn[i * d + 1], "rows are copied whole");
      assertTrue(seen.add(drawn[i * d]), "row " + drawn[i * d] + " drawn twice");
      mean += drawn[i * d] / n;
    }
    // a uniform draw without replacement: mean index (count - 1) / 2, standard error
    // sqrt((count^2 - 1) / 12 / n * (count - n) / (count - 1)); the first rows' mean would be 249.5
    double se = Math.sqrt((count * (double) count - 1) / 12 / n * (count - n) / (count - 1));
    assertEquals((count - 1) / 2.0, mean, 4 * se);
    assertEquals(count * d, RandomRows.of(rows, d, 10_000, 11).length, "all, when fewer");
  }
}
