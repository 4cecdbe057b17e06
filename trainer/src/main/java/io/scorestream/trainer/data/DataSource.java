package io.scorestream.trainer.data;

import java.util.Iterator;
import java.util.OptionalLong;

/**
 * Where a dataset's examples come from (a built-in generator, a file, a directory): every example
 * has the same shape, values in data space, and an optional label.
 */
public interface DataSource {
  /** One example: {@code x} row-major in {@link #shape()}. */
  record Example(float[] x, OptionalLong label) {}

  /**
   * The values examples take, when bounded.
   *
   * @param min the smallest value
   * @param max the largest value
   */
  record Range(double min, double max) {}

  /** One example's shape, e.g. {@code [2]} or {@code [1, 28, 28]}. */
  int[] shape();

  /** The range of the values, or null when unbounded (2-D toy data). */
  Range range();

  /** Number of classes of the labels, or 0 when examples carry none. */
  int numClasses();

  /**
   * The examples, in a fixed order; possibly endless (generators), cut by the publisher's limit.
   */
  Iterator<Example> examples();

  /**
   * What this source is, for messages: {@code builtin moons (seed 0)}, {@code mnist train (8000)},
   * ...
   */
  String describe();
}
