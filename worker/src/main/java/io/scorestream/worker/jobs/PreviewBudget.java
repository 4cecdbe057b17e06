package io.scorestream.worker.jobs;

/**
 * A job's budget for previews, so that no request can flood the topics (a preview every step of a 1000-step job of
 * 4,096 samples would be 64 MB of events, each followed by its state). A token bucket of bytes: it holds up to
 * {@link #BURST_BYTES}, refills at {@link #BYTES_PER_SECOND}, and every preview costs its tensor's bytes but at least
 * {@link #MIN_COST_BYTES} (two records, however small the tensor); over a job's whole life previews carry at most
 * {@link #MAX_BYTES_PER_JOB}. A preview the budget cannot afford is not sent; the job reports bare progress
 * instead. Used by the scheduler thread only.
 */
final class PreviewBudget {
  /** What a job may send at once: a thousand small previews, or four of 1 MiB. */
  static final long BURST_BYTES = 4L << 20;
  /** The steady rate: 256 small previews a second, or one of 1 MiB. */
  static final long BYTES_PER_SECOND = 1L << 20;
  /** The least a preview costs: its event and its state are two records, whatever the tensor. */
  static final long MIN_COST_BYTES = 4096;
  /** The most preview bytes over a job's life. */
  static final long MAX_BYTES_PER_JOB = 32L << 20;

  private double tokens = BURST_BYTES;
  private long atNanos;
  private long spent;

  PreviewBudget(long nowNanos) {
    this.atNanos = nowNanos;
  }

  /** True when a preview of {@code bytes} fits the budget at {@code nowNanos}. */
  boolean affords(long nowNanos, long bytes) {
    tokens = Math.min(BURST_BYTES, tokens + (nowNanos - atNanos) * (BYTES_PER_SECOND / 1e9));
    atNanos = nowNanos;
    return spent + bytes <= MAX_BYTES_PER_JOB && tokens >= cost(bytes);
  }

  /** Takes a preview of {@code bytes} out of the budget. */
  void spend(long bytes) {
    tokens -= cost(bytes);
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
