package io.scorestream.core.model;

import java.util.Map;

/**
 * A score network {@code s(x, t) ~ grad_x log p_t(x)} that evaluates whole batches. Implementations
 * are shared by many jobs but are called by one thread at a time.
 */
public interface ScoreModel extends AutoCloseable {

  /** What the model says of itself. */
  ModelInfo info();

  /**
   * All of its metadata, {@link #info()}'s keys and the informative ones (how it was trained,
   * sampler settings it recommends); empty for a model that has none beside its info.
   */
  default Map<String, String> metadata() {
    return Map.of();
  }

  /**
   * Evaluates the score of a batch.
   *
   * @param x positions, {@code [n * dim]} row-major, model space
   * @param t the model's time input per row, {@code [n]} (t, or sigma for sigma-input models)
   * @param labels class labels {@code [n]}, or null for an unconditional model
   * @param n rows
   * @param out receives the score, {@code [n * dim]}
   */
  void score(float[] x, float[] t, long[] labels, int n, float[] out);

  @Override
  void close();
}
