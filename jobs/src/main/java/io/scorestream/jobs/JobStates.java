package io.scorestream.jobs;

import io.scorestream.proto.v1.Conditioning;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.JobStatus;
import io.scorestream.proto.v1.JobSummary;
import java.util.Locale;

/** How a job's state follows from its request and events. */
public final class JobStates {
  private JobStates() {}

  /** True for the statuses a job ends in. */
  public static boolean isFinal(JobStatus status) {
    return status == JobStatus.SUCCEEDED
        || status == JobStatus.FAILED
        || status == JobStatus.CANCELLED;
  }

  /** True for the events a job ends with. */
  public static boolean isFinal(JobEvent event) {
    return event.hasCompleted() || event.hasFailed() || event.hasCancelled();
  }

  /**
   * The state a job's events are applied to: its identity, owner, digest and a summary of the
   * request, never the request itself (a state is written at every event, and a request can be
   * megabytes).
   */
  public static JobState.Builder initial(
      GenerateRequest request, com.google.protobuf.ByteString digest, int attempt) {
    return JobState.newBuilder()
        .setJobId(request.getJobId())
        .setTenant(request.getTenant())
        .setModelName(request.getModelName())
        .setAttempt(attempt)
        .setSummary(summary(request))
        .setRequestDigest(digest);
  }

  /**
   * The state a gateway writes as it enqueues a job: queued, attempt 0 and no event yet (last
   * sequence -1), so that every gateway knows the job at once and the worker that takes it runs
   * attempt 1 from sequence 0.
   */
  public static JobState queued(GenerateRequest request, com.google.protobuf.ByteString digest) {
    return initial(request, digest, 0)
        .setStatus(JobStatus.QUEUED)
        .setLastSequence(-1)
        .setUpdatedAt(request.hasSubmittedAt() ? request.getSubmittedAt() : Times.now())
        .build();
  }

  /** The longest name a refused request's events repeat. */
  private static final int MAX_SHOWN_CHARS = 128;

  /**
   * A request cut to what a record can always carry, for the events and state of a request refused
   * at intake (which may be refused for being too large, or for a name of megabytes): names
   * (guidance's classifier too) at most 128 characters, no tensors, labels or fields unknown to
   * this build, and no enum number or time this build cannot carry on ({@link KnownValues}).
   */
  public static GenerateRequest bounded(GenerateRequest request) {
    GenerateRequest r = KnownValues.stripped(request);
    GenerateRequest.Builder b =
        r.toBuilder()
            .setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance())
            .setJobId(cut(r.getJobId()))
            .setTenant(cut(r.getTenant()))
            .setModelName(cut(r.getModelName()))
            .clearConditioning();
    if (r.hasModelVersion()) {
      b.setModelVersion(cut(r.getModelVersion()));
    }
    b.getSamplerBuilder()
        .clearLatent()
        .setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance());
    if (r.hasGuidance()) {
      var g =
          b.getGuidanceBuilder()
              .setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance())
              .setClassifier(cut(r.getGuidance().getClassifier()));
      if (r.getGuidance().hasClassifierVersion()) {
        g.setClassifierVersion(cut(r.getGuidance().getClassifierVersion()));
      }
    }
    return b.build();
  }

  private static String cut(String s) {
    return Texts.cut(s, MAX_SHOWN_CHARS, "");
  }

  /** What a reader of job states needs of the request. */
  public static JobSummary summary(GenerateRequest r) {
    JobSummary.Builder s =
        JobSummary.newBuilder()
            .setNumSamples(r.getNumSamples())
            .setSeed(r.getSeed())
            .setPriority(r.getPriority())
            .setSamplerValue(r.getSampler().getKindValue())
            .setPreviews(
                r.getPreview().getEverySteps() > 0 || r.getPreview().getMaxPerSecond() > 0);
    if (KnownValues.valid(r.getSubmittedAt())) {
      s.setSubmittedAt(
          r.getSubmittedAt()); // one a client sent out of range is not carried on (JSON cannot
      // print it)
    }
    if (r.hasModelVersion()) {
      s.setModelVersion(r.getModelVersion());
    }
    if (r.hasWebhook()) {
      s.setWebhook(r.getWebhook());
    }
    if (r.getConditioning().getKindCase() != Conditioning.KindCase.KIND_NOT_SET) {
      s.setConditioning(r.getConditioning().getKindCase().name().toLowerCase(Locale.ROOT));
    }
    if (r.hasGuidance()) {
      s.setGuidance(r.getGuidance());
    }
    if (r.getTaskCase() != GenerateRequest.TaskCase.TASK_NOT_SET) {
      s.setTask(r.getTaskCase().name().toLowerCase(Locale.ROOT));
    }
    return s.build();
  }

  /**
   * Of two states of a job, the later: higher attempt, then higher sequence, then the final one.
   */
  public static JobState newer(JobState held, JobState arriving) {
    int byAttempt = Integer.compare(arriving.getAttempt(), held.getAttempt());
    if (byAttempt != 0) {
      return byAttempt > 0 ? arriving : held;
    }
    int bySequence = Long.compare(arriving.getLastSequence(), held.getLastSequence());
    if (bySequence != 0) {
      return bySequence > 0 ? arriving : held;
    }
    return JobStates.isFinal(arriving.getStatus()) ? arriving : held;
  }

  /**
   * The status an event puts its job in, or null for an event that does not change it (progress).
   */
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

  /**
   * Applies an event to a state being built: status, numbering, time, and what the event carries.
   */
  public static JobState.Builder apply(JobState.Builder state, JobEvent event) {
    state
        .setStatus(statusAfter(event))
        .setAttempt(event.getAttempt())
        .setLastSequence(event.getSequence())
        .setUpdatedAt(event.getTime());
    switch (event.getEventCase()) {
      case STARTED ->
          state
              .setWorkerId(event.getStarted().getWorkerId())
              .setModelVersion(event.getStarted().getModelVersion());
      case PROGRESS -> state.setProgress(event.getProgress().toBuilder().clearPreview());
      case COMPLETED -> state.setResult(event.getCompleted());
      case FAILED -> state.setFailure(event.getFailed());
      default -> {}
    }
    return state;
  }
}
