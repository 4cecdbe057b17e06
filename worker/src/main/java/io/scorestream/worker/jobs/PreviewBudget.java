package io.scorestream.worker.jobs;

import io.scorestream.jobs.RequestChecks;

/**
 * A job's budget for previews, so that no request can flood the topics (a preview every step of a
 * 1000-step job of 4,096 samples would be 64 MB of events) or the worker's cores (every event is
 * work for the broker and every reader). Two token buckets: one of previews, holding {@link
 * #BURST_PREVIEWS} and refilled at {@link #PREVIEWS_PER_SECOND} (what a dashboard can show), and
 * one of bytes, holding {@link #BURST_BYTES} and refilled at {@link #BYTES_PER_SECOND}, where a
 * preview costs its tensor's bytes but at least {@link #MIN_COST_BYTES}; over a job's whole life
 * previews carry at most {@link #MAX_BYTES_PER_JOB}. A preview the budget cannot afford is not
 * sent; the job reports bare progress meanwhile. Used by the scheduler thread only.
 */
final class PreviewBudget {
  /** Previews a job may send at once. */
  static final double BURST_PREVIEWS = RequestChecks.MAX_PREVIEWS_PER_SECOND;

  /** Previews a job may send a second, steadily: the most a request may ask for. */
  static final double PREVIEWS_PER_SECOND = RequestChecks.MAX_PREVIEWS_PER_SECOND;

  /** Preview bytes a job may send at once: four previews of 1 MiB. */
  static final long BURST_BYTES = 4L << 20;

  /** The steady byte rate: one preview of 1 MiB a second. */
  static final long BYTES_PER_SECOND = 1L << 20;

  /**
   * The least a preview costs in bytes: it is a record (and may bring its job's state), whatever
   * the tensor.
   */
  static final long MIN_COST_BYTES = 4096;

  /** The most preview bytes over a job's life. */
  static final long MAX_BYTES_PER_JOB = 32L << 20;

  private double tokens = BURST_BYTES;
  private double previews = BURST_PREVIEWS;
  private long atNanos;
  private long spent;

  PreviewBudget(long nowNanos) {
    this.atNanos = nowNanos;
  }

  /** True when a preview of {@code bytes} fits the budget at {@code nowNanos}. */
  boolean affords(long nowNanos, long bytes) {
    tokens = Math.min(BURST_BYTES, tokens + (nowNanos - atNanos) * (BYTES_PER_SECOND / 1e9));
    previews =
        Math.min(BURST_PREVIEWS, previews + (nowNanos - atNanos) * (PREVIEWS_PER_SECOND / 1e9));
    atNanos = nowNanos;
    return spent + bytes <= MAX_BYTES_PER_JOB && tokens >= cost(bytes) && previews >= 1;
  }

  /** Takes a preview of {@code bytes} out of the budget. */
  void spend(long bytes) {
    tokens -= cost(bytes);
    previews -= 1;
    spent += bytes;
  }

  /** Preview bytes sent so far. */
  long spent() {
    return spent;
  }

  private static long cost(long bytes) {
    return Math.max(MIN_COST_BYTES, bytes);
  }
}
