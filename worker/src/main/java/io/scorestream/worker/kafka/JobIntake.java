package io.scorestream.worker.kafka;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.scorestream.jobs.FailureCode;
import io.scorestream.jobs.Faults;
import io.scorestream.jobs.JobStates;
import io.scorestream.jobs.Problem;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.JobHistory;
import io.scorestream.jobs.kafka.JobStateView;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.proto.v1.Failed;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.worker.jobs.Job;
import io.scorestream.worker.jobs.Refusals;
import io.scorestream.worker.jobs.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of a record a job consumer delivers. Bytes that are not a request, or a request
 * whose id is not one, go to the dead-letter topic. A request under an id that names another
 * request is refused ({@code job_id_taken}). A job whose state is final is not run again (its state
 * first brought up to the job's newest event, in case its worker died between the two). A job for a
 * model this worker lacks is routed to the model's pool when another worker serves it. Any other
 * job goes to the scheduler, as the next attempt when an earlier one started. Used from one
 * consumer's poll thread.
 */
final class JobIntake implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobIntake.class);

  /** Where the intake reports the job of a record, and learns how to mark the record done. */
  @FunctionalInterface
  interface Tracker {
    /** The record names this job; the returned callback marks the record done. */
    Runnable delivered(String jobId);
  }

  private final TopicNames names;
  private final Scheduler scheduler;
  private final KafkaEventSink sink;
  private final JobStateView view;
  private final JobHistory history;
  private final JobRouter router;

  JobIntake(
      TopicNames names,
      Scheduler scheduler,
      KafkaEventSink sink,
      JobStateView view,
      JobHistory history,
      JobRouter router) {
    this.names = names;
    this.scheduler = scheduler;
    this.sink = sink;
    this.view = view;
    this.history = history;
    this.router = router;
  }

  /**
   * Takes one record of the jobs topic or a pool: refuses it, skips it, routes it to its model's
   * pool, or hands its job to the scheduler. {@code tracker} learns the job id of a record that
   * names one and gives the callback that marks the record done (committable).
   */
  void take(ConsumerRecord<String, byte[]> record, Tracker tracker) {
    if (record.value() == null) {
      tracker.delivered("").run(); // a tombstone on the jobs topic asks for nothing: done at once
      return;
    }
    GenerateRequest request;
    try {
      request = GenerateRequest.parseFrom(record.value());
      if (request.getJobId().isEmpty() && record.key() != null) {
        request = request.toBuilder().setJobId(record.key()).build();
      }
    } catch (InvalidProtocolBufferException e) {
      reject(record, "the record is not a GenerateRequest: " + e.getMessage());
      tracker
          .delivered("")
          .run(); // in the dead letter: committed with the rest, even as a partition's last
      return;
    }
    if (!RequestChecks.JOB_ID.matcher(request.getJobId()).matches()) {
      // no events go out under an id that is not one: it may be empty, or megabytes long
      reject(
          record,
          "jobId must match "
              + RequestChecks.JOB_ID.pattern()
              + "; this one has "
              + request.getJobId().length()
              + " characters");
      tracker.delivered("").run();
      return;
    }
    Runnable done = tracker.delivered(request.getJobId());
    GenerateRequest delivered = request;
    ByteString digest = RequestDigest.of(request);
    Optional<JobState> state = view.get(request.getJobId()).map(s -> withNewerEvents(s, delivered));
    if (state.isPresent()
        && !state.get().getRequestDigest().isEmpty()
        && !state.get().getRequestDigest().equals(digest)) {
      sink.publish(
          Refusals.idTaken(request.getJobId(), digest), null); // the id names another request
      done.run();
      return;
    }
    if (state.isPresent() && JobStates.isFinal(state.get().getStatus())) {
      // already served to its end (by a worker that died before committing): never again
      done.run();
      return;
    }
    // any earlier state means an earlier delivery (to a worker that died or lost the partition):
    // the next attempt
    int attempt = state.map(s -> s.getAttempt() + 1).orElse(1);
    long firstSequence = state.map(s -> s.getLastSequence() + 1).orElse(0L);
    Job job = new Job(request, digest, attempt, firstSequence, done);
    Optional<String> pool = router.pool(record.topic(), request);
    if (pool.isPresent()) {
      // another worker serves the model: the record goes to its pool, and is done here once the
      // broker has it; a record Kafka refuses there fails its job alone
      String topic = names.pool(pool.get());
      sink.forward(
          topic,
          request.getJobId(),
          record.value(),
          done,
          e -> unroutable(job, topic, pool.get(), e));
      return;
    }
    LOG.debug(
        "job {} (attempt {}) taken in from {}-{} offset {}",
        request.getJobId(),
        job.attempt(),
        record.topic(),
        record.partition(),
        record.offset());
    scheduler.submit(job);
  }

  /** A job whose record Kafka refused on the way to its pool: it fails alone. */
  private void unroutable(Job job, String topic, String model, Exception e) {
    scheduler.refuse(
        job,
        new Problem(
            FailureCode.INTERNAL,
            "",
            "the job could not be routed to "
                + topic
                + ", the pool of the workers that serve "
                + model
                + ": "
                + Faults.reason(e)));
  }

  /**
   * A state that is not final may be one event behind the log (its worker died between sending the
   * two): brings it up to the job's newest event, and writes it back, with the delivered request,
   * when that event was final, so the job is not run again.
   */
  private JobState withNewerEvents(JobState state, GenerateRequest request) {
    if (JobStates.isFinal(state.getStatus()) || state.getAttempt() == 0) {
      // final, or queued by a gateway (attempt 0): no worker has written events after it
      return state;
    }
    Instant since = Times.instant(state.getUpdatedAt());
    Optional<JobEvent> newest;
    try {
      newest = history.latestSince(state.getJobId(), since, Duration.ofSeconds(30));
    } catch (org.apache.kafka.common.KafkaException | IllegalStateException e) {
      // the log could not be read back in time: the state alone decides, as it did before
      return state;
    }
    if (newest.isEmpty()
        || newest.get().getAttempt() < state.getAttempt()
        || newest.get().getAttempt() == state.getAttempt()
            && newest.get().getSequence() <= state.getLastSequence()) {
      return state;
    }
    JobState caughtUp = JobStates.apply(state.toBuilder(), newest.get()).build();
    if (JobStates.isFinal(caughtUp.getStatus())) {
      view.written(caughtUp);
      // the view keeps no summary or result: the mended state takes them from the request and the
      // event
      sink.publish(null, caughtUp.toBuilder().setSummary(JobStates.summary(request)).build());
    }
    return caughtUp;
  }

  /**
   * A record the intake failed on, by a fault of the worker's own or a record no check foresaw:
   * logged once with its stack trace, to the dead letter, and a failed event under its key when the
   * key is a job id.
   */
  void unhandled(ConsumerRecord<String, byte[]> record, RuntimeException e) {
    LOG.error(
        "the job record at {}-{} offset {} could not be taken in; it goes to the dead letter",
        record.topic(),
        record.partition(),
        record.offset(),
        e);
    reject(record, "internal error while taking the record in: " + Faults.reason(e));
  }

  /**
   * A record that asks for no job this worker can name: to the dead-letter topic (a bounded
   * excerpt: the record itself stays on its topic), and a failed event under its key when the key
   * is a job id, for a client that follows it. That event has attempt 0 and no digest and changes
   * no state, as a refusal of a taken id does: bytes under an id must not take the id from the
   * request that may come under it, nor end that request's followers' wait.
   */
  private void reject(ConsumerRecord<String, byte[]> record, String reason) {
    sink.deadLetter(DeadLetters.key(record.key()), DeadLetters.of(record, reason));
    String key = record.key();
    if (key != null && RequestChecks.JOB_ID.matcher(key).matches()) {
      Failed failed = new Problem(FailureCode.UNPARSEABLE, "", reason).toFailed();
      sink.publish(
          JobEvent.newBuilder()
              .setJobId(key)
              .setAttempt(0)
              .setSequence(0)
              .setTime(Times.now())
              .setFailed(failed)
              .build(),
          null);
    }
  }

  @Override
  public void close() {
    history.close();
  }
}
