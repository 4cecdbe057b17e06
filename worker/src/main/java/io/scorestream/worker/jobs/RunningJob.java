package io.scorestream.worker.jobs;

import io.scorestream.core.sample.SamplingProcess;
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
  private long nextSequence;
  private final JobState.Builder state;

  RunningJob(Job job, long arrivalOrder) {
    this.job = job;
    this.arrivalOrder = arrivalOrder;
    this.nextSequence = job.firstSequence();
    this.state = JobState.newBuilder().setJobId(job.id()).setTenant(job.request().getTenant())
        .setModelName(job.request().getModelName()).setAttempt(job.attempt()).setRequest(job.request());
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
        .setTime(Times.now()).build();
    sink.publish(built, JobStates.apply(state, built).build());
  }
}
