package io.scorestream.trainer.service;

import java.util.Arrays;

/**
 * The examples a trainer learns from: the newest {@code capacity} of a data topic, in model space.
 * A trainer that follows a live stream forgets the oldest; one that reads a finished topic holds
 * all of it when it fits.
 */
final class ReplayBuffer {
  private final int dim;
  private final int capacity;
  private final float[] rows;
  private final long[] labels;
  private long added;

  /** Examples held, {@code [size, dim]} row-major, and their labels (-1 where none). */
  record Snapshot(float[] rows, long[] labels) {}

  ReplayBuffer(int dim, int capacity) {
    this.dim = dim;
    this.capacity = capacity;
    this.rows = new float[dim * capacity];
    this.labels = new long[capacity];
  }

  synchronized void add(float[] example, long label) {
    int slot = (int) (added % capacity);
    System.arraycopy(example, 0, rows, slot * dim, dim);
    labels[slot] = label;
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

  /** A copy of the examples held and their labels. */
  synchronized Snapshot snapshot() {
    return new Snapshot(Arrays.copyOf(rows, size() * dim), Arrays.copyOf(labels, size()));
  }
}
