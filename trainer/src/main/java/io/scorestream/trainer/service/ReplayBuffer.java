package io.scorestream.trainer.service;

import java.util.Arrays;

/**
 * The examples a trainer learns from: the newest {@code capacity} of a data topic, in model space. A trainer that
 * follows a live stream forgets the oldest; one that reads a finished topic holds all of it when it fits.
 */
final class ReplayBuffer {
  private final int dim;
  private final int capacity;
  private final float[] rows;
  private long added;

  ReplayBuffer(int dim, int capacity) {
    this.dim = dim;
    this.capacity = capacity;
    this.rows = new float[dim * capacity];
  }

  synchronized void add(float[] example) {
    int slot = (int) (added % capacity);
    System.arraycopy(example, 0, rows, slot * dim, dim);
    added++;
  }

  /** Examples held now. */
  synchronized int size() {
    return (int) Math.min(added, capacity);
  }

  /** Examples taken in since the start. */
  synchronized long added() {
    return added;
  }

  /** A copy of the examples held, {@code [size, dim]} row-major. */
  synchronized float[] snapshot() {
    return Arrays.copyOf(rows, size() * dim);
  }
}
