package io.scorestream.trainer.data;

import io.scorestream.core.model.DataScaling;
import java.util.Arrays;
import java.util.Iterator;

/**
 * A dataset read into memory for training, in model space: data in [0, 1] (images) is modelled in
 * [-1, 1] ({@link DataScaling#CENTERED}, as the reference code's {@code data.centered}); other data
 * as it is.
 *
 * @param values {@code [N, ...shape]} row-major, in model space
 * @param count N
 * @param shape one example's shape
 * @param scaling how model space maps back to data space
 * @param labels each example's label, or -1
 */
public record Loaded(float[] values, int count, int[] shape, DataScaling scaling, long[] labels) {
  /** Values per example. */
  public int dimension() {
    return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }

  /**
   * Reads up to {@code limit} examples of a source (all of a finite one when {@code limit} is 0).
   */
  public static Loaded read(DataSource source, int limit) {
    int[] shape = source.shape();
    int d = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    DataSource.Range range = source.range();
    DataScaling scaling =
        range != null && range.min() >= 0 && range.max() <= 1
            ? DataScaling.CENTERED
            : DataScaling.IDENTITY;
    float[] values = new float[Math.max(1, limit) * d];
    long[] labels = new long[Math.max(1, limit)];
    int n = 0;
    for (Iterator<DataSource.Example> it = source.examples();
        it.hasNext() && (limit <= 0 || n < limit);
        n++) {
      DataSource.Example e = it.next();
      if (n == labels.length) {
        values = Arrays.copyOf(values, values.length * 2);
        labels = Arrays.copyOf(labels, labels.length * 2);
      }
      for (int j = 0; j < d; j++) {
        values[n * d + j] = (float) scaling.toModel(e.x()[j]);
      }
      labels[n] = e.label().orElse(-1);
    }
    if (n == 0) {
      throw new IllegalArgumentException(source.describe() + " holds no examples");
    }
    return new Loaded(Arrays.copyOf(values, n * d), n, shape, scaling, Arrays.copyOf(labels, n));
  }

  /**
   * The first {@code count - heldOut} examples and the last {@code heldOut}, for training and
   * evaluation.
   */
  public Loaded[] split(int heldOut) {
    int d = dimension();
    int keep = count - heldOut;
    if (heldOut <= 0 || keep <= 0) {
      throw new IllegalArgumentException(
          "cannot hold out " + heldOut + " of " + count + " examples");
    }
    return new Loaded[] {
      new Loaded(
          Arrays.copyOf(values, keep * d), keep, shape, scaling, Arrays.copyOf(labels, keep)),
      new Loaded(
          Arrays.copyOfRange(values, keep * d, count * d),
          heldOut,
          shape,
          scaling,
          Arrays.copyOfRange(labels, keep, count))
    };
  }
}
