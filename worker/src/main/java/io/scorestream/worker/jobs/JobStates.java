package io.scorestream.worker.jobs;

import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.JobStatus;

/** How a job's state follows from its events. */
public final class JobStates {
  private JobStates() {}

  /** True for the statuses a job ends in. */
  public static boolean isFinal(JobStatus status) {
    return status == JobStatus.SUCCEEDED || status == JobStatus.FAILED || status == JobStatus.CANCELLED;
  }

  /** The status an event puts its job in, or null for an event that does not change it (progress). */
  public static JobStatus statusAfter(JobEvent event) {
    return switch (event.getEventCase()) {
      case ACCEPTED -> JobStatus.QUEUED;
      case STARTED, PROGRESS -> JobStatus.RUNNING;
      case COMPLETED -> JobStatus.SUCCEEDED;
      case FAILED -> JobStatus.FAILED;
      case CANCELLED -> JobStatus.CANCELLED;
      case EVENT_NOT_SET -> null;
    };
  }

  /** Applies an event to a state being built: status, numbering, time, and what the event carries. */
  public static JobState.Builder apply(JobState.Builder state, JobEvent event) {
    state.setStatus(statusAfter(event)).setAttempt(event.getAttempt()).setLastSequence(event.getSequence())
        .setUpdatedAt(event.getTime());
    switch (event.getEventCase()) {
      case STARTED -> state.setWorkerId(event.getStarted().getWorkerId())
          .setModelVersion(event.getStarted().getModelVersion());
      case PROGRESS -> state.setProgress(event.getProgress().toBuilder().clearPreview());
      case COMPLETED -> state.setResult(event.getCompleted());
      case FAILED -> state.setFailure(event.getFailed());
      default -> { }
    }
    return state;
  }
}
