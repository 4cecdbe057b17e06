package io.scorestream.worker.jobs;

import com.google.protobuf.ByteString;
import io.scorestream.jobs.FailureCode;
import io.scorestream.jobs.Problem;
import io.scorestream.jobs.Times;
import io.scorestream.proto.v1.JobEvent;

/**
 * The failed event of a request refused because its job id already names another request. It goes out under that
 * id with attempt 0 and the refused request's digest, and changes no state: the id's job is someone else's, and its
 * readers skip events whose digest is not their job's.
 */
public final class Refusals {
  private Refusals() {}

  /** The refusal of the request with this digest under {@code jobId}. */
  public static JobEvent idTaken(String jobId, ByteString refusedDigest) {
    Problem problem = new Problem(FailureCode.JOB_ID_TAKEN, "jobId", "job id '" + jobId + "' already names another"
        + " request (another tenant's, or other settings); a request under an id it reuses counts only when it is"
        + " the same request from the same tenant. Submit it under a new id");
    return JobEvent.newBuilder().setJobId(jobId).setAttempt(0).setSequence(0).setTime(Times.now())
        .setRequestDigest(refusedDigest).setFailed(problem.toFailed()).build();
  }
}
