package io.scorestream.gateway.view;

import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.WholeTopic;
import io.scorestream.proto.v1.JobState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Fetches one job's final state, samples included, from the {@code job-state} record the {@link
 * JobIndex} points at. One consumer on its own thread serves every fetch in turn (a Kafka consumer
 * is single-threaded), so a burst of downloads holds one connection, not one each.
 */
public final class ResultReader implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private final KafkaConsumer<String, byte[]> consumer;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "gateway-results");
            t.setDaemon(true);
            return t;
          });

  public ResultReader(KafkaClients kafka) {
    this.consumer = WholeTopic.unassigned(kafka);
  }

  /**
   * The state written at {@code offset} of {@code partition} if it is still there and belongs to
   * {@code jobId}; empty when compaction removed it (a newer state of the job replaced it). Fails
   * when the broker cannot be read.
   */
  public CompletableFuture<Optional<JobState>> read(
      TopicPartition partition, long offset, String jobId) {
    return CompletableFuture.supplyAsync(() -> fetch(partition, offset, jobId), thread);
  }

  private Optional<JobState> fetch(TopicPartition partition, long offset, String jobId) {
    consumer.assign(List.of(partition));
    consumer.seek(partition, offset);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        if (r.offset() < offset) {
          continue;
        }
        if (r.offset() > offset || !jobId.equals(r.key()) || r.value() == null) {
          return Optional.empty(); // compacted away: the record now there is another's
        }
        try {
          return Optional.of(JobState.parseFrom(r.value()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          return Optional.empty();
        }
      }
      if (consumer.position(partition) > offset) {
        return Optional.empty();
      }
    }
    throw new IllegalStateException(
        "could not read job " + jobId + "'s result from Kafka within " + TIMEOUT);
  }

  @Override
  public void close() {
    thread.execute(
        () -> WholeTopic.closeNow(consumer)); // on the consumer's own thread, after any fetch
    thread.shutdown();
  }
}
