package io.scorestream.worker.jobs;

import com.google.protobuf.ByteString;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.proto.v1.GenerateRequest;

/**
 * A job as the scheduler receives it.
 *
 * @param request the request
 * @param digest the request's digest ({@link RequestDigest}): another record under this id is the
 *     same job only if its digest is equal
 * @param attempt 1 for a first delivery, higher when a worker died mid-job and the job came again
 * @param firstSequence the sequence number this attempt's first event takes
 * @param onFinal called once, on the scheduler thread, after the job's final event is out (commits
 *     it)
 */
public record Job(
    GenerateRequest request, ByteString digest, int attempt, long firstSequence, Runnable onFinal) {
  /** A job whose digest is computed from its request. */
  public Job(GenerateRequest request, int attempt, long firstSequence, Runnable onFinal) {
    this(request, RequestDigest.of(request), attempt, firstSequence, onFinal);
  }

  public String id() {
    return request.getJobId();
  }
}
