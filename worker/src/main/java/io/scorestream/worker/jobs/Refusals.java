package io.scorestream.worker.jobs;

import com.google.protobuf.ByteString;
import io.scorestream.jobs.FailureCode;
import io.scorestream.jobs.Problem;
import io.scorestream.jobs.Times;
import io.scorestream.proto.v1.JobEvent;

/**
 * The failed event of a request refused because its job id already names another request. It goes
 * out under that id with attempt 0 and the refused request's digest, and changes no state: the id's
 * job is someone else's, and its readers skip events whose digest is not their job's.
 */
public final class Refusals {
  private Refusals() {}

  /**
   * The failed event of a job whose events cannot be built as usual (even a bounded copy of its
   * request failed): its id, attempt, first sequence and digest, and the problem.
   */
  static JobEvent bare(Job job, Problem problem) {
    return JobEvent.newBuilder()
        .setJobId(job.id())
        .setAttempt(job.attempt())
        .setSequence(job.firstSequence())
        .setTime(Times.now())
        .setRequestDigest(job.digest())
        .setFailed(problem.toFailed())
        .build();
  }

  /** The state that follows {@link #bare}'s event: the job, failed, with nothing of its request. */
  static io.scorestream.proto.v1.JobState bareState(Job job, JobEvent failed) {
    return io.scorestream.jobs.JobStates.apply(
            io.scorestream.proto.v1.JobState.newBuilder()
                .setJobId(job.id())
                .setRequestDigest(job.digest()),
            failed)
        .build();
  }

  /** The refusal of the request with this digest under {@code jobId}. */
  public static JobEvent idTaken(String jobId, ByteString refusedDigest) {
    Problem problem =
        new Problem(
            FailureCode.JOB_ID_TAKEN,
            "jobId",
            "job id '"
                + jobId
                + "' already names another"
                + " request (another tenant's, or other settings); a request under an id it reuses counts only when it is"
                + " the same request from the same tenant. Submit it under a new id");
    return JobEvent.newBuilder()
        .setJobId(jobId)
        .setAttempt(0)
        .setSequence(0)
        .setTime(Times.now())
        .setRequestDigest(refusedDigest)
        .setFailed(problem.toFailed())
        .build();
  }
}
