package io.scorestream.jobs.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import io.scorestream.proto.v1.JobEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads one job's recent events back from {@code job-events}. A job's state is written right after
 * each event, so a worker that died between the two leaves a state one event behind the log; before
 * a job whose state is not final runs again, the worker looks here for events newer than that
 * state. Only the job's own partition is read, from the state's time on. Used from one thread.
 */
public final class JobHistory implements AutoCloseable {
  /**
   * Allowance for record timestamps a little before the state's (both come from the same worker's
   * clock).
   */
  private static final Duration MARGIN = Duration.ofSeconds(1);

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final int partitions;

  public JobHistory(KafkaClients kafka, TopicNames names) {
    this.topic = names.jobEvents();
    this.consumer = WholeTopic.unassigned(kafka);
    this.partitions = consumer.partitionsFor(topic).size();
  }

  /**
   * The job's event with the highest (attempt, sequence) written at or after {@code since}, if any.
   *
   * @throws IllegalStateException when the log cannot be read to its end within {@code timeout}
   */
  public Optional<JobEvent> latestSince(String jobId, Instant since, Duration timeout) {
    // the producer's default partitioner for a keyed record: murmur2 of the key bytes
    TopicPartition partition = new TopicPartition(topic, JobClient.partitionFor(jobId, partitions));
    consumer.assign(List.of(partition));
    long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
    OffsetAndTimestamp from =
        consumer
            .offsetsForTimes(Map.of(partition, since.minus(MARGIN).toEpochMilli()), timeout)
            .get(partition);
    if (from == null) {
      return Optional.empty(); // nothing written since
    }
    consumer.seek(partition, from.offset());
    JobEvent latest = null;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (consumer.position(partition) < end) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "could not read the events of job " + jobId + " within " + timeout);
      }
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
        if (record.offset() < end && jobId.equals(record.key())) {
          try {
            JobEvent event = JobEvent.parseFrom(record.value());
            if (latest == null
                || event.getAttempt() > latest.getAttempt()
                || event.getAttempt() == latest.getAttempt()
                    && event.getSequence() > latest.getSequence()) {
              latest = event;
            }
          } catch (InvalidProtocolBufferException e) {
            // not an event this worker wrote or can read: it says nothing of the job's progress
          }
        }
      }
    }
    return Optional.ofNullable(latest);
  }

  @Override
  public void close() {
    consumer.close();
  }
}
