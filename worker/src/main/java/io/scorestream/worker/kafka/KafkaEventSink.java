package io.scorestream.worker.kafka;

import io.scorestream.proto.v1.DeadLetter;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.worker.jobs.EventSink;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes job events to {@code job-events} and job states to the compacted {@code job-state}, keyed by job id so
 * a job's records stay in order on one partition, and dead letters. Retriable send errors are retried by the
 * idempotent producer itself until the delivery timeout; an error that reaches a callback is therefore final, and
 * for events, states and dead letters it means a reader would miss a record: it is fatal, kept, and handed to the
 * owner to stop on. A heartbeat that fails is only logged: the next one replaces it.
 */
public final class KafkaEventSink implements EventSink, AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final TopicNames names;
  private final AtomicReference<Exception> fatal = new AtomicReference<>();
  private final Consumer<Exception> onFatal;
  private final Consumer<String> log;
  private static final int LINGER_MS = 2;

  /**
   * @param deliveryTimeout how long a record may take to be acknowledged, retries included
   * @param onFatal         called once, on a producer thread, with the first record that could not be delivered
   * @param log             receives one-line messages about failed heartbeats
   */
  public KafkaEventSink(KafkaClients kafka, TopicNames names, String clientId, Duration deliveryTimeout,
      Consumer<Exception> onFatal, Consumer<String> log) {
    this.names = names;
    this.onFatal = onFatal;
    this.log = log;
    int delivery = (int) deliveryTimeout.toMillis();
    this.producer = kafka.producer(Map.of(
        ProducerConfig.CLIENT_ID_CONFIG, clientId,                  // names this worker in broker logs and quotas
        ProducerConfig.ACKS_CONFIG, "all",                          // an event is out once every replica has it
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,             // retries never duplicate or reorder events
        ProducerConfig.LINGER_MS_CONFIG, LINGER_MS,                 // a little batching across jobs' progress
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery,        // how long to retry before the worker gives up
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, delivery - LINGER_MS), // must fit in the above
        ProducerConfig.MAX_BLOCK_MS_CONFIG, delivery,               // a missing topic fails a send within it too
        ProducerConfig.BUFFER_MEMORY_CONFIG, Topics.PRODUCER_BUFFER_BYTES, // a whole-record event and its state at once
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES)); // completed events carry all samples
  }

  /**
   * Sends the event (if any) and then the job's state (if any). Both are in flight together, so a worker killed between them is a
   * window of one round trip; after the first record that could not be delivered nothing more is sent.
   */
  @Override
  public void publish(JobEvent event, JobState state) {
    if (fatal.get() != null) {
      return;
    }
    if (event != null) {
      producer.send(new ProducerRecord<>(names.jobEvents(), event.getJobId(), event.toByteArray()), onError());
    }
    if (state != null && fatal.get() == null) {
      producer.send(new ProducerRecord<>(names.jobState(), state.getJobId(), state.toByteArray()), onError());
    }
  }

  /** Publishes a worker's heartbeat to the workers topic, keyed by worker id. */
  public void heartbeat(io.scorestream.proto.v1.WorkerHeartbeat beat) {
    producer.send(new ProducerRecord<>(names.workers(), beat.getWorkerId(), beat.toByteArray()), (metadata, e) -> {
      if (e != null) {
        log.accept("a heartbeat was not delivered: " + e.getMessage());
      }
    });
  }

  /**
   * Routes a job's record, as it came, to another topic (its model's pool); {@code onAcked} runs once the broker
   * has it. A record that cannot be delivered is fatal, as an event is: the job would be lost.
   */
  public void forward(String topic, String key, byte[] value, Runnable onAcked) {
    if (fatal.get() != null) {
      return;
    }
    producer.send(new ProducerRecord<>(topic, key, value), (metadata, e) -> {
      if (e != null) {
        fail(e);
      } else {
        onAcked.run();
      }
    });
  }

  /** Sends a record that could not be served to the dead-letter topic, under its original key. */
  public void deadLetter(String key, DeadLetter letter) {
    producer.send(new ProducerRecord<>(names.deadLetter(), key, letter.toByteArray()), onError());
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
