package io.scorestream.worker.jobs;

import io.scorestream.proto.v1.JobStatus;

/**
 * What the scheduler reports as it works, for a metrics registry; the scheduler knows no metrics
 * library.
 */
public interface JobMetrics {
  /** Reports nothing. */
  JobMetrics NONE =
      new JobMetrics() {
        @Override
        public void modelCalls(String model, long calls, long rows, long capacity, long nanos) {}

        @Override
        public void finished(JobStatus status, int samples, long queuedNanos, long runNanos) {}

        @Override
        public void failed(String code) {}

        @Override
        public void fault(String stage) {}
      };

  /**
   * One scheduler round's model calls for a model: how many, how many sample rows they held, how
   * many rows they could have held, and the wall time spent inside them.
   */
  void modelCalls(String model, long calls, long rows, long capacity, long nanos);

  /**
   * A job reached a final status; its wait in the queue and its run time, in nanoseconds (run time
   * 0 for a job that never started).
   */
  void finished(JobStatus status, int samples, long queuedNanos, long runNanos);

  /**
   * A job failed, for this reason code ({@code invalid_request}, {@code model_error}, {@code
   * non_finite}, ...).
   */
  void failed(String code);

  /** A fault of the worker's own failed one job while at this stage ({@code starting it}, ...). */
  void fault(String stage);
}
