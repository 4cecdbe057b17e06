package io.scorestream.worker.jobs;

import io.scorestream.proto.v1.GenerateRequest;

/**
 * A job as the scheduler receives it.
 *
 * @param request       the request
 * @param attempt       1 for a first delivery, higher when a worker died mid-job and the job came again
 * @param firstSequence the sequence number this attempt's first event takes
 * @param onFinal       called once, on the scheduler thread, after the job's final event is out (commits it)
 */
public record Job(GenerateRequest request, int attempt, long firstSequence, Runnable onFinal) {
  public String id() {
    return request.getJobId();
  }
}
