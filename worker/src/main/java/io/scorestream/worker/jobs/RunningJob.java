package io.scorestream.worker.jobs;

import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.jobs.JobStates;
import io.scorestream.jobs.Times;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.worker.models.ModelRegistry;

/**
 * A job the scheduler holds: its sampler once started, and the numbering of the events it has sent.
 */
final class RunningJob {
  final Job job;
  final long arrivalOrder;
  final long queuedAtNanos = System.nanoTime();
  SamplingProcess process;
  ModelRegistry.Loaded model;
  long startedAtNanos;
  long lastProgressNanos;
  int lastPreviewStep;

  /** Set as its final event is sent: nothing more goes out for it. */
  boolean ended;

  /** What this job may still spend on previews. */
  final PreviewBudget previews = new PreviewBudget(queuedAtNanos);

  /** The least time between two states written for progress events. */
  static final long PROGRESS_STATE_NANOS = 250_000_000L;

  private long nextSequence;
  private long lastStateNanos;
  private final JobState.Builder state;

  /** The request as this job's events repeat it. */
  final io.scorestream.proto.v1.GenerateRequest shown;

  /**
   * @param refused true for a job refused at intake: its events and state then repeat only a
   *     bounded copy of the request, which may be too large or carry names of megabytes
   */
  RunningJob(Job job, long arrivalOrder, boolean refused) {
    this.job = job;
    this.arrivalOrder = arrivalOrder;
    this.nextSequence = job.firstSequence();
    this.shown = refused ? JobStates.bounded(job.request()) : job.request();
    this.state = JobStates.initial(shown, job.digest(), job.attempt());
  }

  /**
   * The job's task of given data (likelihood, encode), once started; null when it draws samples.
   */
  io.scorestream.jobs.DataTask task;

  int samples() {
    return job.request().getNumSamples();
  }

  /**
   * About the rows its sampler evaluates per model call: samples, times particles, or a data task's
   * rows.
   */
  long rows() {
    return io.scorestream.jobs.JobCodec.rows(job.request());
  }

  int priority() {
    return job.request().getPriority();
  }

  /**
   * The next event of this job, numbered, with the job's updated state. A progress event's state
   * goes out only when the last state is {@link #PROGRESS_STATE_NANOS} old: a state is for readers
   * that look a job up, not a second stream of every event (a job with previews every ten steps
   * would write a hundred a second). Every other event (accepted, started, the final one) is
   * followed by its state.
   */
  void emit(EventSink sink, JobEvent.Builder event) {
    JobEvent built =
        event
            .setJobId(job.id())
            .setAttempt(job.attempt())
            .setSequence(nextSequence++)
            .setTime(Times.now())
            .setRequestDigest(job.digest())
            .build();
    JobStates.apply(state, built);
    long now = System.nanoTime();
    if (!built.hasProgress() || now - lastStateNanos >= PROGRESS_STATE_NANOS) {
      lastStateNanos = now;
      sink.publish(built, state.build());
    } else {
      sink.publish(built, null);
    }
  }
}
