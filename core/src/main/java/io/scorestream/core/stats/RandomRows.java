package io.scorestream.core.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Rows drawn at random without replacement (a partial Fisher-Yates shuffle from a seed): a fair
 * sample of a data set whatever its order — a directory read in file-name order comes grouped by
 * class, and its first rows are not one. Data are rows of {@code d} floats, row-major.
 */
public final class RandomRows {
  private RandomRows() {}

  /**
   * {@code k} distinct row indices of {@code n} drawn from {@code seed} (all, in order, when k >=
   * n).
   */
  public static int[] indices(int n, int k, long seed) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    if (k >= n) {
      return all;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(n - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    return Arrays.copyOf(all, k);
  }

  /** The rows {@code rows} of {@code data} ({@code [rows.length * d]}). */
  public static float[] copy(float[] data, int d, int[] rows) {
    float[] out = new float[rows.length * d];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(data, rows[i] * d, out, i * d, d);
    }
    return out;
  }

  /** Up to {@code k} rows of {@code data} drawn from {@code seed}: {@link #indices} copied. */
  public static float[] of(float[] data, int d, int k, long seed) {
    return copy(data, d, indices(data.length / d, k, seed));
  }
}
