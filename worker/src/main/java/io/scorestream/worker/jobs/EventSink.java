package io.scorestream.worker.jobs;

import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;

/** Where a worker's job events and job states go (Kafka in production, anything in between). */
public interface EventSink {
  /** Publishes an event (unless null) and then, unless null, the job's latest state. */
  void publish(JobEvent event, JobState state);
}
