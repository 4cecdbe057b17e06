package io.scorestream.worker.jobs;

import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.jobs.JobStates;
import io.scorestream.jobs.Times;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.worker.models.ModelRegistry;

/** A job the scheduler holds: its sampler once started, and the numbering of the events it has sent. */
final class RunningJob {
  final Job job;
  final long arrivalOrder;
  final long queuedAtNanos = System.nanoTime();
  SamplingProcess process;
  ModelRegistry.Loaded model;
  long startedAtNanos;
  long lastProgressNanos;
  int lastPreviewStep;
  /** What this job may still spend on previews. */
  final PreviewBudget previews = new PreviewBudget(queuedAtNanos);
  private long nextSequence;
  private final JobState.Builder state;
  /** The request as this job's events repeat it. */
  final io.scorestream.proto.v1.GenerateRequest shown;

  /**
   * @param refused true for a job refused at intake: its events and state then repeat only a bounded copy of the
   *                request, which may be too large or carry names of megabytes
   */
  RunningJob(Job job, long arrivalOrder, boolean refused) {
    this.job = job;
    this.arrivalOrder = arrivalOrder;
    this.nextSequence = job.firstSequence();
    this.shown = refused ? JobStates.bounded(job.request()) : job.request();
    this.state = JobStates.initial(shown, job.digest(), job.attempt());
  }

  int samples() {
    return job.request().getNumSamples();
  }

  int priority() {
    return job.request().getPriority();
  }

  /** The next event of this job, numbered, with the job's updated state. */
  void emit(EventSink sink, JobEvent.Builder event) {
    JobEvent built = event.setJobId(job.id()).setAttempt(job.attempt()).setSequence(nextSequence++)
        .setTime(Times.now()).setRequestDigest(job.digest()).build();
    sink.publish(built, JobStates.apply(state, built).build());
  }
}
