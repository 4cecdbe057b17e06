package io.scorestream.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.scorestream.proto.v1.Completed;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.Progress;
import io.scorestream.proto.v1.JobStatus;
import org.junit.jupiter.api.Test;

/**
 * The view keeps the later of two states of a job, whichever arrives last: the topic reader comes to a worker's
 * own states after the worker has put newer ones in the view.
 */
class JobStateViewTest {
  private static JobState state(int attempt, long sequence, JobStatus status) {
    return JobState.newBuilder().setJobId("j").setAttempt(attempt).setLastSequence(sequence).setStatus(status)
        .build();
  }

  @Test
  void olderStateReadLaterDoesNotReplaceANewerOne() {
    JobState done = state(1, 9, JobStatus.SUCCEEDED);
    JobState running = state(1, 4, JobStatus.RUNNING);
    assertSame(done, JobStateView.newer(done, running));
    assertSame(done, JobStateView.newer(running, done));
  }

  @Test
  void laterAttemptWinsWhateverItsSequence() {
    JobState first = state(1, 50, JobStatus.RUNNING);
    JobState second = state(2, 3, JobStatus.RUNNING);
    assertSame(second, JobStateView.newer(first, second));
    assertSame(second, JobStateView.newer(second, first));
  }

  @Test
  void finalStateWinsATieWithTheStateItMends() {
    // a state one event behind, mended from the job's final event, has that event's attempt and sequence
    JobState lagging = state(1, 7, JobStatus.RUNNING);
    JobState mended = state(1, 7, JobStatus.CANCELLED);
    assertSame(mended, JobStateView.newer(lagging, mended));
    assertSame(mended, JobStateView.newer(mended, lagging));
  }

  @Test
  void viewKeepsNeitherRequestNorResultNorProgressOfAState() {
    JobState full = state(1, 3, JobStatus.SUCCEEDED).toBuilder()
        .setRequest(GenerateRequest.newBuilder().setJobId("j").setNumSamples(4096))
        .setResult(Completed.newBuilder().setNfe(2000))
        .setProgress(Progress.newBuilder().setStep(999)).setWorkerId("w").build();
    JobState kept = JobStateView.slim(full);
    assertFalse(kept.hasRequest() || kept.hasResult() || kept.hasProgress());
    assertEquals(JobStatus.SUCCEEDED, kept.getStatus());
    assertEquals(3, kept.getLastSequence());
    assertEquals("w", kept.getWorkerId());
  }
}
