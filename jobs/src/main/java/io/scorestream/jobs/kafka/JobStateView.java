package io.scorestream.jobs.kafka;

import io.scorestream.jobs.JobStates;
import io.scorestream.proto.v1.JobState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest {@link JobState} of every job, read from the compacted {@code job-state} topic from
 * its beginning; only what decides whether and how a job runs is kept (status, attempt, numbering,
 * owner and request digest), so the view stays small however large results are. A worker consults
 * it before running a delivered job: a job already final is not run again (so a job is never
 * completed twice), one that had started elsewhere continues as the next attempt, and a request
 * under an id that names another request is refused.
 */
public final class JobStateView implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobStateView.class);

  private final TopicReader<JobState> reader;
  private final Map<String, JobState> states = new ConcurrentHashMap<>();

  public JobStateView(KafkaClients kafka, TopicNames names) {
    this.reader =
        new TopicReader<>(
            kafka,
            names.jobState(),
            JobState::parseFrom,
            new TopicReader.Handler<>() {
              @Override
              public void value(ConsumerRecord<String, byte[]> record, JobState state) {
                written(
                    io.scorestream.jobs.KnownValues.stripped(
                        state)); // no time out of range reaches the intake
              }

              @Override
              public void tombstone(ConsumerRecord<String, byte[]> record) {
                states.remove(record.key()); // the job's records aged out: it is forgotten
              }
              // a state this worker cannot read tells it nothing; the job runs as if new
            },
            Duration.ofMillis(100),
            LOG);
  }

  @Override
  public void run() {
    reader.run();
  }

  /** True once this view has read every state written before {@code endOffsets} were taken. */
  public boolean hasRead(Map<TopicPartition, Long> endOffsets) {
    return reader.hasRead(endOffsets);
  }

  /**
   * Takes a state into the view unless it holds a newer one of that job: read from the topic, or
   * written by this worker (which then sees its own final states at once, not when the topic reader
   * gets to them).
   */
  public void written(JobState state) {
    states.merge(state.getJobId(), slim(state), JobStates::newer);
  }

  /**
   * What the view keeps of a state: not its result, progress, failure or summary, which are not
   * needed to decide whether, as which attempt and for whom a job runs (a result can be megabytes).
   */
  static JobState slim(JobState state) {
    if (!state.hasSummary() && !state.hasResult() && !state.hasProgress() && !state.hasFailure()) {
      return state;
    }
    return state.toBuilder().clearSummary().clearResult().clearProgress().clearFailure().build();
  }

  /** The partitions this view reads. */
  public List<TopicPartition> partitions() {
    return reader.partitions();
  }

  /**
   * The latest state of a job, if any was written, without its result, progress, failure and
   * summary.
   */
  public Optional<JobState> get(String jobId) {
    return Optional.ofNullable(states.get(jobId));
  }

  @Override
  public void close() {
    reader.close();
  }
}
