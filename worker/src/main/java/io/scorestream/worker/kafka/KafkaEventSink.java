package io.scorestream.worker.kafka;

import io.scorestream.proto.v1.DeadLetter;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.worker.jobs.EventSink;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes job events to {@code job-events} and job states to the compacted {@code job-state}, keyed by job id so
 * a job's records stay in order on one partition, and dead letters. Retriable send errors are retried by the
 * idempotent producer itself; any other send error is fatal and is kept for the worker to stop on.
 */
public final class KafkaEventSink implements EventSink, AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final TopicNames names;
  private final AtomicReference<Exception> fatal = new AtomicReference<>();

  public KafkaEventSink(String bootstrapServers, TopicNames names, String clientId) {
    this.names = names;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.CLIENT_ID_CONFIG, clientId,
        ProducerConfig.ACKS_CONFIG, "all",                          // an event is out once every replica has it
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,             // retries never duplicate or reorder events
        ProducerConfig.LINGER_MS_CONFIG, 2,                         // a little batching across jobs' progress
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES), // completed events carry all samples
        new StringSerializer(), new ByteArraySerializer());
  }

  @Override
  public void publish(JobEvent event, JobState state) {
    producer.send(new ProducerRecord<>(names.jobEvents(), event.getJobId(), event.toByteArray()), onError());
    if (state != null) {
      producer.send(new ProducerRecord<>(names.jobState(), state.getJobId(), state.toByteArray()), onError());
    }
  }

  /** Publishes a worker's heartbeat to the workers topic, keyed by worker id. */
  public void heartbeat(io.scorestream.proto.v1.WorkerHeartbeat beat) {
    producer.send(new ProducerRecord<>(names.workers(), beat.getWorkerId(), beat.toByteArray()), onError());
  }

  /** Sends a record that could not be served to the dead-letter topic, under its original key. */
  public void deadLetter(String key, DeadLetter letter) {
    producer.send(new ProducerRecord<>(names.deadLetter(), key, letter.toByteArray()), onError());
  }

  /** Blocks until everything sent so far is acknowledged (or has failed). */
  public void flush() {
    producer.flush();
  }

  /** The first non-retriable send error, or null. */
  public Exception fatalError() {
    return fatal.get();
  }

  private Callback onError() {
    return (metadata, e) -> {
      if (e != null && !(e instanceof RetriableException)) {
        fatal.compareAndSet(null, e);
      }
    };
  }

  @Override
  public void close() {
    producer.close();
  }
}
