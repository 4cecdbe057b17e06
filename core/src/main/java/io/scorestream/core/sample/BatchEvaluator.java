package io.scorestream.core.sample;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Serves the pending queries of many {@link SamplingProcess}es with shared model calls: every
 * active job's rows go into one batch (split into calls of at most {@code maxBatch} rows), whatever
 * step or sampler each job is at. Jobs may join and leave between calls. Not thread-safe: one
 * scheduler thread drives it.
 */
public final class BatchEvaluator {
  private final ScoreModel model;
  private final ModelInfo info;
  private final int maxBatch;
  private final int dim;
  private float[] x = new float[0];
  private float[] t = new float[0];
  private long[] labels = new long[0];
  private float[] out = new float[0];
  private long modelCalls;
  private long modelNanos;
  private final ArrayList<SamplingProcess> active = new ArrayList<>();
  private float[] chunkX;
  private float[] chunkT;
  private long[] chunkLabels;
  private float[] chunkOut;

  /**
   * @param model the shared score model
   * @param maxBatch the most rows one model call may take
   */
  public BatchEvaluator(ScoreModel model, int maxBatch) {
    if (maxBatch <= 0) {
      throw new IllegalArgumentException("maximum batch must be positive, got " + maxBatch);
    }
    this.model = model;
    this.info = model.info();
    this.maxBatch = maxBatch;
    this.dim = info.dimension();
  }

  /** The most rows one model call takes. */
  public int maxBatch() {
    return maxBatch;
  }

  /** Model calls made so far. */
  public long modelCalls() {
    return modelCalls;
  }

  /**
   * Wall time spent inside model calls so far, in nanoseconds (not the samplers' arithmetic around
   * them).
   */
  public long modelNanos() {
    return modelNanos;
  }

  /**
   * Evaluates the pending query of every unfinished process and supplies each its score. Rows of a
   * process that fails are dropped by that process alone; the others continue.
   */
  public void step(List<? extends SamplingProcess> processes) {
    active.clear();
    int rows = 0;
    boolean conditional = false;
    for (SamplingProcess p : processes) {
      if (!p.finished()) {
        checkShape(p);
        active.add(p);
        rows += p.samples();
        conditional |= p.labels() != null;
      }
    }
    if (rows == 0) {
      return;
    }
    ensureCapacity(rows);
    int row = 0;
    for (SamplingProcess p : active) {
      System.arraycopy(p.queryPoints(), 0, x, row * dim, p.samples() * dim);
      if (p.uniformQueryTime()) {
        Arrays.fill(t, row, row + p.samples(), (float) info.modelTime(p.queryTime()));
      } else {
        for (int r = 0; r < p.samples(); r++) {
          t[row + r] = (float) info.modelTime(p.queryTime(r));
        }
      }
      if (conditional) {
        for (int r = 0; r < p.samples(); r++) {
          labels[row + r] = p.labels() == null ? 0 : p.labels()[r];
        }
      }
      row += p.samples();
    }
    long start = System.nanoTime();
    evaluate(rows, conditional);
    modelNanos += System.nanoTime() - start;
    row = 0;
    for (SamplingProcess p : active) {
      p.supply(out, row * dim);
      row += p.samples();
    }
  }

  /** Steps until every process has finished, calling {@code listener} after each step. */
  public void runToCompletion(List<? extends SamplingProcess> processes, Runnable listener) {
    while (processes.stream().anyMatch(p -> !p.finished())) {
      step(processes);
      listener.run();
    }
  }

  private void evaluate(int rows, boolean conditional) {
    if (rows <= maxBatch) {
      model.score(x, t, conditional ? labels : null, rows, out);
      modelCalls++;
      return;
    }
    if (chunkT == null) {
      chunkX = new float[maxBatch * dim];
      chunkT = new float[maxBatch];
      chunkLabels = new long[maxBatch];
      chunkOut = new float[maxBatch * dim];
    }
    for (int start = 0; start < rows; start += maxBatch) {
      int n = Math.min(maxBatch, rows - start);
      System.arraycopy(x, start * dim, chunkX, 0, n * dim);
      System.arraycopy(t, start, chunkT, 0, n);
      if (conditional) {
        System.arraycopy(labels, start, chunkLabels, 0, n);
      }
      model.score(chunkX, chunkT, conditional ? chunkLabels : null, n, chunkOut);
      modelCalls++;
      System.arraycopy(chunkOut, 0, out, start * dim, n * dim);
    }
  }

  private void checkShape(SamplingProcess p) {
    if (p.dimension() != dim) {
      throw new IllegalArgumentException(
          "a job with samples of "
              + p.dimension()
              + " values cannot share model "
              + info.name()
              + ", whose samples have "
              + dim);
    }
  }

  private void ensureCapacity(int rows) {
    if (t.length < rows) {
      int capacity = Math.max(rows, t.length * 2);
      x = new float[capacity * dim];
      t = new float[capacity];
      labels = new long[capacity];
      out = new float[capacity * dim];
    }
  }
}
