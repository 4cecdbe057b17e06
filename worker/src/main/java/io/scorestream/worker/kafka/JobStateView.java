package io.scorestream.worker.kafka;

import io.scorestream.proto.v1.JobState;
import io.scorestream.worker.jobs.JobStates;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The latest {@link JobState} of every job, read from the compacted {@code job-state} topic from its beginning;
 * only what decides whether and how a job runs is kept, so the view stays small however large results are.
 * A worker consults it before running a delivered job: a job already final is not run again (so a job is never
 * completed twice), and one that had started elsewhere continues as the next attempt.
 */
public final class JobStateView implements Runnable, AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final Map<String, JobState> states = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public JobStateView(String bootstrapServers, TopicNames names) {
    this.consumer = WholeTopic.reader(bootstrapServers, names.jobState());   // every worker reads it all
    this.partitions = WholeTopic.partitions(consumer, names.jobState());
  }

  @Override
  public void run() {
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          try {
            written(JobState.parseFrom(record.value()));
          } catch (com.google.protobuf.InvalidProtocolBufferException | NullPointerException e) {
            // a state this worker cannot read tells it nothing; the job runs as if new
          }
        }
        for (TopicPartition p : partitions) {
          positions.put(p, consumer.position(p));
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } finally {
      consumer.close();
    }
  }

  /** True once this view has read every state written before {@code endOffsets} were taken. */
  public boolean hasRead(Map<TopicPartition, Long> endOffsets) {
    return endOffsets.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
  }

  /**
   * Takes a state into the view unless it holds a newer one of that job: read from the topic, or written by this
   * worker (which then sees its own final states at once, not when the topic reader gets to them).
   */
  public void written(JobState state) {
    states.merge(state.getJobId(), slim(state), JobStateView::newer);
  }

  /**
   * What the view keeps of a state: not its request, result or progress, which can be megabytes (conditioning
   * images, samples) and are not needed to decide whether and as which attempt a job runs.
   */
  static JobState slim(JobState state) {
    if (!state.hasRequest() && !state.hasResult() && !state.hasProgress()) {
      return state;
    }
    return state.toBuilder().clearRequest().clearResult().clearProgress().build();
  }

  /** Of two states of a job, the later: higher attempt, then higher sequence, then the final one. */
  static JobState newer(JobState held, JobState arriving) {
    int byAttempt = Integer.compare(arriving.getAttempt(), held.getAttempt());
    if (byAttempt != 0) {
      return byAttempt > 0 ? arriving : held;
    }
    int bySequence = Long.compare(arriving.getLastSequence(), held.getLastSequence());
    if (bySequence != 0) {
      return bySequence > 0 ? arriving : held;
    }
    return JobStates.isFinal(arriving.getStatus()) ? arriving : held;
  }

  /** The partitions this view reads. */
  public List<TopicPartition> partitions() {
    return partitions;
  }

  /** The latest state of a job, if any was written, without its request, result and progress. */
  public Optional<JobState> get(String jobId) {
    return Optional.ofNullable(states.get(jobId));
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
  }
}
