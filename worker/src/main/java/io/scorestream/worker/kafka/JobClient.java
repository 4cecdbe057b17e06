package io.scorestream.worker.kafka;

import io.scorestream.proto.v1.Cancel;
import io.scorestream.proto.v1.Control;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/** The scriptable client: enqueues jobs, cancels them, and follows a job's events until its final one. */
public final class JobClient implements AutoCloseable {
  private final String bootstrapServers;
  private final TopicNames names;
  private final KafkaProducer<String, byte[]> producer;

  public JobClient(String bootstrapServers, TopicNames names) {
    this.bootstrapServers = bootstrapServers;
    this.names = names;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",                        // a submitted job is on every replica
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,           // a retried send is not a second job
        ProducerConfig.BUFFER_MEMORY_CONFIG, Topics.PRODUCER_BUFFER_BYTES, // a whole-record request fits the buffer
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES, // requests may carry conditioning
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000),              // a wrong address fails in 15 s, not 60
        new StringSerializer(), new ByteArraySerializer());
  }

  /** Enqueues a job, keyed by its id; returns once the broker has it. */
  public void submit(GenerateRequest request) {
    send(new ProducerRecord<>(names.jobs(), request.getJobId(), request.toByteArray()));
  }

  /** Enqueues many jobs, sending them together; returns once the broker has them all. */
  public void submitAll(java.util.Collection<GenerateRequest> requests) {
    List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
    for (GenerateRequest r : requests) {
      sent.add(producer.send(new ProducerRecord<>(names.jobs(), r.getJobId(), r.toByteArray())));
    }
    for (java.util.concurrent.Future<?> f : sent) {
      try {
        f.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("Kafka refused a job: " + e.getCause().getMessage(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while submitting jobs", e);
      }
    }
  }

  /** Asks every worker to cancel a job; harmless for an unknown or finished job. */
  public void cancel(String jobId, String tenant) {
    cancel(jobId, tenant, "cancelled by client");
  }

  /**
   * Asks every worker to cancel a job of this tenant, giving the reason its readers will see; only the tenant that
   * submitted the job can cancel it.
   */
  public void cancel(String jobId, String tenant, String reason) {
    Control control = Control.newBuilder().setJobId(jobId).setTenant(tenant)
        .setCancel(Cancel.newBuilder().setReason(reason)).build();
    send(new ProducerRecord<>(names.control(), jobId, control.toByteArray()));
  }

  private void send(ProducerRecord<String, byte[]> record) {
    try {
      producer.send(record).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("Kafka refused the record for " + record.topic() + " at " + bootstrapServers
          + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending to " + record.topic(), e);
    }
  }

  /**
   * Follows a job's events from the start of its partition until a final event (completed, failed, cancelled)
   * and returns that event.
   *
   * @throws IllegalStateException when no final event arrives within {@code timeout}
   */
  public JobEvent follow(String jobId, Duration timeout, Consumer<JobEvent> onEvent) {
    return follow(jobId, null, timeout, onEvent);
  }

  /**
   * Follows a job's events written from {@code since} on (by the writers' clocks; null: from the start of its
   * partition, which holds a week of every job's events) until a final event, and returns that event. A client
   * that has just submitted the job passes a time shortly before it did.
   *
   * @throws IllegalStateException when no final event arrives within {@code timeout}
   */
  public JobEvent follow(String jobId, java.time.Instant since, Duration timeout, Consumer<JobEvent> onEvent) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,                           // a reader, not a group member
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES), // completed events are large
        new StringDeserializer(), new ByteArrayDeserializer())) {
      int partitions = consumer.partitionsFor(names.jobEvents()).size();
      TopicPartition p = new TopicPartition(names.jobEvents(), partitionFor(jobId, partitions));
      consumer.assign(List.of(p));
      if (since == null) {
        consumer.seekToBeginning(List.of(p));
      } else {
        var found = consumer.offsetsForTimes(Map.of(p, since.toEpochMilli())).get(p);
        if (found != null) {
          consumer.seek(p, found.offset());
        } else {
          consumer.seekToEnd(List.of(p));   // nothing written since then yet: what comes next is all there is
        }
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (!jobId.equals(record.key())) {
            continue;
          }
          JobEvent event = JobEvent.parseFrom(record.value());
          onEvent.accept(event);
          if (event.hasCompleted() || event.hasFailed() || event.hasCancelled()) {
            return event;
          }
        }
      }
      throw new IllegalStateException("no final event for job " + jobId + " within " + timeout);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("unreadable event for job " + jobId + ": " + e.getMessage(), e);
    }
  }

  /** The partition the producer's default partitioner picks for a key (murmur2 of its UTF-8 bytes). */
  static int partitionFor(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  @Override
  public void close() {
    producer.close();
  }
}
