package io.scorestream.worker.kafka;

import io.scorestream.jobs.FailureCode;
import io.scorestream.jobs.Faults;
import io.scorestream.jobs.JobStates;
import io.scorestream.jobs.Problem;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.KafkaErrors;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.DeadLetter;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.worker.jobs.EventSink;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes job events to {@code job-events} and job states to the compacted {@code job-state},
 * keyed by job id so a job's records stay in order on one partition, and dead letters. Retriable
 * send errors are retried by the idempotent producer itself until the delivery timeout; an error
 * that reaches a callback is therefore final. Its tier follows from what failed ({@link
 * KafkaErrors}): Kafka refusing one record (its topic, its size) fails that record alone, logged
 * and counted, and a job whose final event was refused gets a small failed event in its place;
 * anything else means a reader would miss records: it is fatal, kept, and handed to the owner to
 * stop on. A heartbeat that fails is only logged: the next one replaces it.
 */
public final class KafkaEventSink implements EventSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSink.class);

  private final KafkaProducer<String, byte[]> producer;
  private final TopicNames names;
  private final AtomicReference<Exception> fatal = new AtomicReference<>();
  private final AtomicLong refusedRecords = new AtomicLong();
  private final Consumer<Exception> onFatal;
  private static final int LINGER_MS = 2;

  /**
   * @param deliveryTimeout how long a record may take to be acknowledged, retries included
   * @param onFatal called once, on a producer thread, with the first record that could not be
   *     delivered
   */
  public KafkaEventSink(
      KafkaClients kafka,
      TopicNames names,
      String clientId,
      Duration deliveryTimeout,
      Consumer<Exception> onFatal) {
    this.names = names;
    this.onFatal = onFatal;
    int delivery = (int) deliveryTimeout.toMillis();
    this.producer =
        kafka.producer(
            Map.of(
                ProducerConfig.CLIENT_ID_CONFIG,
                clientId, // names this worker in broker logs and quotas
                ProducerConfig.ACKS_CONFIG,
                "all", // an event is out once every replica has it
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true, // retries never duplicate or reorder events
                ProducerConfig.LINGER_MS_CONFIG,
                LINGER_MS, // a little batching across jobs' progress
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                delivery, // how long to retry before the worker gives up
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Math.min(30_000, delivery - LINGER_MS), // must fit in the above
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                delivery, // a missing topic fails a send within it too
                ProducerConfig.BUFFER_MEMORY_CONFIG,
                Topics.PRODUCER_BUFFER_BYTES, // a whole-record event and its state at once
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Topics.MAX_MESSAGE_BYTES)); // completed events carry all samples
  }

  /**
   * Sends the event (if any) and then the job's state (if any). Both are in flight together, so a
   * worker killed between them is a window of one round trip; after the first record that could not
   * be delivered nothing more is sent.
   */
  @Override
  public void publish(JobEvent event, JobState state) {
    if (fatal.get() != null) {
      return;
    }
    try {
      if (event != null) {
        producer.send(
            new ProducerRecord<>(names.jobEvents(), event.getJobId(), event.toByteArray()),
            (metadata, e) -> {
              if (e != null
                  && refused(e, "event " + event.getSequence() + " of job " + event.getJobId())
                  && JobStates.isFinal(event)) {
                endInstead(event, state, e);
              }
            });
      }
      if (state != null && fatal.get() == null) {
        producer.send(
            new ProducerRecord<>(names.jobState(), state.getJobId(), state.toByteArray()),
            onError());
      }
    } catch (KafkaException | IllegalStateException e) {
      // the producer failed or closed under the send (a record's own fault comes to the callback):
      // fatal, not this job's fault; the worker stops, and the job, uncommitted, runs again
      fail(e);
    }
  }

  /**
   * The job's final event was refused: a small failed event and state take its place, so that its
   * followers learn that it ended and the job is not run again.
   */
  private void endInstead(JobEvent refusedEvent, JobState state, Exception e) {
    JobEvent failed =
        JobEvent.newBuilder()
            .setJobId(refusedEvent.getJobId())
            .setAttempt(refusedEvent.getAttempt())
            .setSequence(refusedEvent.getSequence() + 1)
            .setTime(Times.now())
            .setRequestDigest(refusedEvent.getRequestDigest())
            .setFailed(
                new Problem(
                        FailureCode.INTERNAL,
                        "",
                        "the job's final event could not be written to Kafka: " + Faults.reason(e))
                    .toFailed())
            .build();
    producer.send(
        new ProducerRecord<>(names.jobEvents(), failed.getJobId(), failed.toByteArray()),
        onError());
    if (state != null) {
      JobState ended = JobStates.apply(state.toBuilder().clearResult(), failed).build();
      producer.send(
          new ProducerRecord<>(names.jobState(), ended.getJobId(), ended.toByteArray()), onError());
    }
  }

  /**
   * Sorts a failed send into its tier: Kafka's refusal of this one record is logged and counted
   * (true); anything else is fatal (false).
   */
  private boolean refused(Exception e, String what) {
    if (!KafkaErrors.recordFault(e)) {
      fail(e);
      return false;
    }
    refusedRecords.incrementAndGet();
    LOG.warn("Kafka refused {}; it was dropped and the worker goes on", what, e);
    return true;
  }

  /** How many records Kafka refused for what they were (each failed alone). */
  public long refusedRecords() {
    return refusedRecords.get();
  }

  /** Publishes a worker's heartbeat to the workers topic, keyed by worker id. */
  public void heartbeat(io.scorestream.proto.v1.WorkerHeartbeat beat) {
    producer.send(
        new ProducerRecord<>(names.workers(), beat.getWorkerId(), beat.toByteArray()),
        (metadata, e) -> {
          if (e != null) {
            LOG.warn("a heartbeat was not delivered: {}", e.getMessage());
          }
        });
  }

  /**
   * Routes a job's record, as it came, to another topic (its model's pool); {@code onAcked} runs
   * once the broker has it, {@code onRefused} (on a producer thread) when Kafka refused that record
   * for what it is. Any other failure is fatal, as for an event: the job would be lost.
   */
  public void forward(
      String topic, String key, byte[] value, Runnable onAcked, Consumer<Exception> onRefused) {
    if (fatal.get() != null) {
      return;
    }
    producer.send(
        new ProducerRecord<>(topic, key, value),
        (metadata, e) -> {
          if (e == null) {
            onAcked.run();
          } else if (refused(e, "job " + key + "'s record for " + topic)) {
            onRefused.accept(e);
          }
        });
  }

  /** Sends a record that could not be served to the dead-letter topic, under its original key. */
  public void deadLetter(String key, DeadLetter letter) {
    producer.send(
        new ProducerRecord<>(names.deadLetter(), key, letter.toByteArray()),
        (metadata, e) -> {
          if (e != null) {
            refused(e, "the dead letter of " + letter.getTopic() + " offset " + letter.getOffset());
          }
        });
  }

  /** Blocks until everything sent so far is acknowledged (or has failed). */
  public void flush() {
    producer.flush();
  }

  /** The first record that could not be delivered, or null. */
  public Exception fatalError() {
    return fatal.get();
  }

  private Callback onError() {
    return (metadata, e) -> {
      if (e != null) {
        fail(e);
      }
    };
  }

  private void fail(Exception e) {
    if (fatal.compareAndSet(null, e)) {
      onFatal.accept(e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
