package io.scorestream.jobs.kafka;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.scorestream.jobs.JobStates;
import io.scorestream.jobs.Times;
import io.scorestream.proto.v1.Cancel;
import io.scorestream.proto.v1.Control;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * The scriptable client: enqueues jobs, cancels them, looks up a job's state and follows its events
 * until its final one. Kafka clients reconnect by themselves, so a broker that restarts on the same
 * address is found again.
 */
public final class JobClient implements AutoCloseable {
  /**
   * How long a service's send may wait for a broker that cannot be reached before it is reported.
   */
  private static final Duration SERVICE_SEND_TIMEOUT = Duration.ofSeconds(15);

  private final KafkaClients kafka;
  private final TopicNames names;
  private final KafkaProducer<String, byte[]> producer;
  private final Patience patience;

  /**
   * How a command-line client waits for a broker: it fails at once when nothing listens at the
   * bootstrap addresses ({@link BrokerReach}), and otherwise waits up to {@code limit} for a slow
   * broker, saying once, after {@code noticeAfter}, that it is waiting.
   *
   * @param notice receives that one line (standard error, for a command)
   */
  public record Patience(Duration limit, Duration noticeAfter, Consumer<String> notice) {
    /** The commands' default: up to two minutes, said after five seconds. */
    public static Patience of(Consumer<String> notice) {
      return new Patience(Duration.ofMinutes(2), Duration.ofSeconds(5), notice);
    }
  }

  /**
   * A service's client: a send waits 15 s for a broker, with nothing said meanwhile (the gateway
   * answers 503).
   */
  public JobClient(KafkaClients kafka, TopicNames names) {
    this(kafka, names, null);
  }

  /** A command's client, which waits with {@code patience} (null: as a service's). */
  public JobClient(KafkaClients kafka, TopicNames names, Patience patience) {
    this.kafka = kafka;
    this.names = names;
    this.patience = patience;
    int wait = (int) (patience == null ? SERVICE_SEND_TIMEOUT : patience.limit()).toMillis();
    this.producer =
        kafka.producer(
            Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all", // a submitted job is on every replica
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true, // a retried send is not a second job
                ProducerConfig.BUFFER_MEMORY_CONFIG,
                Topics.PRODUCER_BUFFER_BYTES, // a whole-record request fits the buffer
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Topics.MAX_MESSAGE_BYTES, // requests may carry conditioning
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                wait, // a broker that never answers fails in time
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                wait + 5_000, // and so does one that is down
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Math.min(wait, 30_000))); // (delivery >= linger + request)
  }

  /** The request with its submission time set, unless it has one. */
  public static GenerateRequest stamped(GenerateRequest request) {
    return request.hasSubmittedAt()
        ? request
        : request.toBuilder().setSubmittedAt(Times.now()).build();
  }

  /** Enqueues a job, keyed by its id, stamped with the time; returns once the broker has it. */
  public void submit(GenerateRequest request) {
    submitAll(List.of(request));
  }

  /** Enqueues many jobs, sending them together; returns once the broker has them all. */
  public void submitAll(Collection<GenerateRequest> requests) {
    patiently(
        () -> {
          List<Future<?>> sent = new ArrayList<>();
          for (GenerateRequest r : requests) {
            sent.add(
                producer.send(
                    new ProducerRecord<>(names.jobs(), r.getJobId(), stamped(r).toByteArray())));
          }
          for (Future<?> f : sent) {
            await(f, names.jobs());
          }
        });
  }

  /**
   * Runs a send with this client's patience: fails at once when nothing listens at the bootstrap
   * addresses, and says once that it is waiting when a broker that listens is slow to answer.
   */
  private void patiently(Runnable send) {
    if (patience == null) {
      send.run();
      return;
    }
    BrokerReach.nothingListens(kafka.bootstrapServers(), Duration.ofSeconds(3))
        .ifPresent(
            why -> {
              throw new IllegalStateException(why);
            });
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture.runAsync(
        () -> {
          if (!done.isDone()) {
            patience
                .notice()
                .accept(
                    "waiting for Kafka at "
                        + kafka.bootstrapServers()
                        + " to answer (it listens, and"
                        + " is slow; up to "
                        + patience.limit().toSeconds()
                        + " s)");
          }
        },
        CompletableFuture.delayedExecutor(
            patience.noticeAfter().toMillis(), TimeUnit.MILLISECONDS));
    try {
      send.run();
    } finally {
      done.complete(null);
    }
  }

  /**
   * Enqueues a job as a gateway does, without blocking: first its queued state (so every reader of
   * states knows the job at once, whichever gateway it asks), then its request. The future
   * completes, with where the state was written, once the broker has both; it fails with an {@link
   * IllegalStateException} that says why otherwise.
   */
  public CompletableFuture<RecordMetadata> enqueue(GenerateRequest request, JobState queued) {
    CompletableFuture<RecordMetadata> state = new CompletableFuture<>();
    CompletableFuture<RecordMetadata> job = new CompletableFuture<>();
    producer.send(
        new ProducerRecord<>(names.jobState(), request.getJobId(), queued.toByteArray()),
        (metadata, e) -> complete(state, metadata, e, names.jobState()));
    producer.send(
        new ProducerRecord<>(names.jobs(), request.getJobId(), request.toByteArray()),
        (metadata, e) -> complete(job, metadata, e, names.jobs()));
    return state.thenCombine(job, (s, j) -> s);
  }

  private void complete(
      CompletableFuture<RecordMetadata> f, RecordMetadata metadata, Exception e, String topic) {
    if (e == null) {
      f.complete(metadata);
    } else {
      f.completeExceptionally(new IllegalStateException(why(e, topic), e));
    }
  }

  /**
   * Asks every worker to cancel a job of this tenant, giving the reason its readers will see; only
   * the tenant that submitted the job can cancel it. Returns once the broker has the request;
   * whether it took effect shows in the job's events.
   */
  public void cancel(String jobId, String tenant, String reason) {
    Control control =
        Control.newBuilder()
            .setJobId(jobId)
            .setTenant(tenant)
            .setCancel(Cancel.newBuilder().setReason(reason))
            .build();
    patiently(
        () ->
            await(
                producer.send(new ProducerRecord<>(names.control(), jobId, control.toByteArray())),
                names.control()));
  }

  private void await(Future<?> sent, String topic) {
    try {
      sent.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(why(e.getCause(), topic), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending to " + topic, e);
    }
  }

  private String why(Throwable cause, String topic) {
    return cause instanceof org.apache.kafka.common.errors.TimeoutException
        ? "no broker answered at "
            + kafka.bootstrapServers()
            + " within "
            + (patience == null ? SERVICE_SEND_TIMEOUT : patience.limit()).toSeconds()
            + " s (is Kafka running there, and is that its"
            + " advertised address?)"
        : "Kafka at "
            + kafka.bootstrapServers()
            + " refused the record for "
            + topic
            + ": "
            + cause.getMessage();
  }

  /**
   * The latest state of a job, read from its partition of the compacted job-state topic, or empty
   * when no worker has taken the job in yet (or it is older than the topic's retention).
   *
   * @throws IllegalStateException when the partition cannot be read to its end within {@code
   *     timeout}
   */
  public Optional<JobState> state(String jobId, Duration timeout) {
    KafkaConsumer<String, byte[]> consumer = WholeTopic.unassigned(kafka);
    try {
      TopicPartition p = partitionOf(consumer, names.jobState(), jobId, timeout);
      consumer.assign(List.of(p));
      consumer.seekToBeginning(List.of(p));
      long end = consumer.endOffsets(List.of(p), timeout).get(p);
      JobState latest = null;
      long deadline = System.nanoTime() + timeout.toNanos();
      while (consumer.position(p, timeout) < end) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read the state of job " + jobId + " within " + timeout);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          if (r.offset() < end && jobId.equals(r.key())) {
            latest = r.value() == null ? null : parseState(r.value(), latest);
          }
        }
      }
      return Optional.ofNullable(latest);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new IllegalStateException(
          "no broker answered at " + kafka.bootstrapServers() + " within " + timeout, e);
    } finally {
      WholeTopic.closeNow(consumer);
    }
  }

  private static JobState parseState(byte[] value, JobState otherwise) {
    try {
      return JobState.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      return otherwise; // not a state: it says nothing of the job
    }
  }

  /**
   * Follows a job's events written from {@code since} on (by the writers' clocks; null: from the
   * start of its partition, which holds a week of every job's events) until a final event, and
   * returns that event. Given the request's {@code digest}, events of another request under the
   * same id (a refused reuse of the id, or bytes that were no request) are skipped.
   *
   * @throws IllegalStateException when no final event arrives within {@code timeout}
   */
  public JobEvent follow(
      String jobId,
      ByteString digest,
      Instant since,
      Duration timeout,
      Consumer<JobEvent> onEvent) {
    long deadline = System.nanoTime() + timeout.toNanos();
    KafkaConsumer<String, byte[]> consumer = WholeTopic.unassigned(kafka);
    try {
      TopicPartition p = partitionOf(consumer, names.jobEvents(), jobId, timeout);
      consumer.assign(List.of(p));
      if (since == null) {
        consumer.seekToBeginning(List.of(p));
      } else {
        // the end first: a record written between the two lookups is then read, not skipped
        long end = consumer.endOffsets(List.of(p), timeout).get(p);
        var found = consumer.offsetsForTimes(Map.of(p, since.toEpochMilli()), timeout).get(p);
        consumer.seek(
            p,
            found != null
                ? found.offset()
                : end); // none since then: what comes next is all there is
      }
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (!jobId.equals(record.key()) || record.value() == null) {
            continue;
          }
          JobEvent event;
          try {
            event = JobEvent.parseFrom(record.value());
          } catch (InvalidProtocolBufferException e) {
            continue; // not an event: nothing of this job
          }
          if (digest != null
              && !digest.equals(event.getRequestDigest())
              && (event.getAttempt() == 0 || !event.getRequestDigest().isEmpty())) {
            // another request under this id, or bytes that were none (refusals have attempt 0)
            continue;
          }
          onEvent.accept(event);
          if (JobStates.isFinal(event)) {
            return event;
          }
        }
      }
      throw new IllegalStateException("no final event for job " + jobId + " within " + timeout);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new IllegalStateException(
          "no broker answered at " + kafka.bootstrapServers() + " within " + timeout, e);
    } finally {
      WholeTopic.closeNow(consumer); // the answer is in: no waiting for the fetch in flight
    }
  }

  private static TopicPartition partitionOf(
      KafkaConsumer<?, ?> consumer, String topic, String key, Duration timeout) {
    return new TopicPartition(
        topic, partitionFor(key, consumer.partitionsFor(topic, timeout).size()));
  }

  /**
   * The partition the producer's default partitioner picks for a key (murmur2 of its UTF-8 bytes).
   */
  public static int partitionFor(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  @Override
  public void close() {
    producer.close();
  }
}
