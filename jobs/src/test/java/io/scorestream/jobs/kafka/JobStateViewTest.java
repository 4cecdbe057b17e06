package io.scorestream.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import io.scorestream.proto.v1.Completed;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.JobStatus;
import io.scorestream.proto.v1.JobSummary;
import io.scorestream.proto.v1.Progress;
import org.junit.jupiter.api.Test;

/**
 * The view keeps the later of two states of a job, whichever arrives last: the topic reader comes
 * to a worker's own states after the worker has put newer ones in the view.
 */
class JobStateViewTest {
  private static JobState state(int attempt, long sequence, JobStatus status) {
    return JobState.newBuilder()
        .setJobId("j")
        .setAttempt(attempt)
        .setLastSequence(sequence)
        .setStatus(status)
        .build();
  }

  /** {@code later} is kept whichever of the two the view held first. */
  private static void assertKeeps(JobState later, JobState earlier) {
    assertSame(later, io.scorestream.jobs.JobStates.newer(later, earlier));
    assertSame(later, io.scorestream.jobs.JobStates.newer(earlier, later));
  }

  @Test
  void olderStateReadLaterDoesNotReplaceANewerOne() {
    assertKeeps(state(1, 9, JobStatus.SUCCEEDED), state(1, 4, JobStatus.RUNNING));
  }

  @Test
  void laterAttemptWinsWhateverItsSequence() {
    assertKeeps(state(2, 3, JobStatus.RUNNING), state(1, 50, JobStatus.RUNNING));
  }

  @Test
  void finalStateWinsATieWithTheStateItMends() {
    // a state one event behind, mended from the job's final event, has that event's attempt and
    // sequence
    assertKeeps(state(1, 7, JobStatus.CANCELLED), state(1, 7, JobStatus.RUNNING));
  }

  @Test
  void viewKeepsOwnerAndDigestButNeitherResultNorProgressNorSummary() {
    ByteString digest = ByteString.copyFrom(new byte[] {1, 2, 3});
    JobState full =
        state(1, 3, JobStatus.SUCCEEDED).toBuilder()
            .setTenant("acme")
            .setRequestDigest(digest)
            .setSummary(JobSummary.newBuilder().setNumSamples(4096))
            .setResult(Completed.newBuilder().setNfe(2000))
            .setProgress(Progress.newBuilder().setStep(999))
            .setWorkerId("w")
            .build();
    JobState kept = JobStateView.slim(full);
    assertFalse(kept.hasSummary() || kept.hasResult() || kept.hasProgress());
    assertEquals(JobStatus.SUCCEEDED, kept.getStatus());
    assertEquals(3, kept.getLastSequence());
    assertEquals("w", kept.getWorkerId());
    assertEquals("acme", kept.getTenant());
    assertEquals(digest, kept.getRequestDigest());
  }
}
