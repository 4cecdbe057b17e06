package io.scorestream.gateway.events;

import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.WholeTopic;
import io.scorestream.proto.v1.JobEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a job's events back from Kafka for the stretch the gateway does not hold: a client resuming
 * from an old event id, or following a job older than the gateway's memory. A few consumers on
 * their own threads serve every replay in turn, so a crowd of reconnecting clients holds a bounded
 * number of connections.
 */
final class EventReplay implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * Allowance for a worker's clock behind the gateway's when a replay starts from a submission
   * time.
   */
  private static final Duration CLOCK_MARGIN = Duration.ofSeconds(5);

  private final KafkaClients kafka;
  private final StreamEvent.Encoder encoder;
  private final ThreadLocal<KafkaConsumer<String, byte[]>> consumers;
  private final List<KafkaConsumer<String, byte[]>> opened = new CopyOnWriteArrayList<>();
  private final ExecutorService threads;

  EventReplay(KafkaClients kafka, StreamEvent.Encoder encoder, int threads) {
    this.kafka = kafka;
    this.encoder = encoder;
    this.consumers =
        ThreadLocal.withInitial(
            () -> {
              KafkaConsumer<String, byte[]> c = WholeTopic.unassigned(this.kafka);
              opened.add(c);
              return c;
            });
    this.threads =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "gateway-replay");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The job's events in {@code [from, to)} of its partition; {@code from} null means from {@code
   * since} (by the records' times, less a margin for clocks).
   */
  CompletableFuture<List<StreamEvent>> read(
      TopicPartition partition, String jobId, Long from, Instant since, long to) {
    return CompletableFuture.supplyAsync(
        () -> {
          KafkaConsumer<String, byte[]> consumer = consumers.get();
          consumer.assign(List.of(partition));
          long start;
          if (from != null) {
            start = from;
          } else {
            OffsetAndTimestamp found =
                consumer
                    .offsetsForTimes(
                        // a job with no submission time (sent to Kafka without one) is read from
                        // the partition's start
                        Map.of(partition, Math.max(0, since.minus(CLOCK_MARGIN).toEpochMilli())),
                        TIMEOUT)
                    .get(partition);
            start = found == null ? to : found.offset();
          }
          List<StreamEvent> out = new ArrayList<>();
          if (start >= to) {
            return out;
          }
          consumer.seek(partition, start);
          long deadline = System.nanoTime() + TIMEOUT.toNanos();
          while (consumer.position(partition, TIMEOUT) < to) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException(
                  "could not read job " + jobId + "'s events back within " + TIMEOUT);
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
              if (r.offset() >= to || !jobId.equals(r.key()) || r.value() == null) {
                continue;
              }
              try {
                out.add(StreamEvent.of(r.offset(), JobEvent.parseFrom(r.value()), encoder));
              } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                // not an event: nothing of this job
              }
            }
          }
          return out;
        },
        threads);
  }

  @Override
  public void close() {
    threads.shutdownNow();
    opened.forEach(
        c -> {
          try {
            c.wakeup();
            c.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(1)));
          } catch (RuntimeException e) {
            // closing on shutdown: a consumer in use by a replay thread refuses, and goes with the
            // JVM
          }
        });
  }
}
