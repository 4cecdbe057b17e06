package io.scorestream.gateway.view;

import io.scorestream.jobs.JobStates;
import io.scorestream.jobs.KnownValues;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.TopicReader;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.JobStatus;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every job the fleet knows, rebuilt from the compacted {@code job-state} topic from its beginning:
 * what a gateway answers {@code GET /v1/jobs} from, on any gateway and after any restart. Results
 * stay on the topic: an entry remembers where its state record lies, and {@link ResultReader}
 * fetches the samples from there when asked.
 */
public final class JobIndex implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobIndex.class);

  /**
   * One job: its latest state without the result's samples, and the record that state was read from
   * (a result is fetched from there).
   */
  public record Entry(JobState state, TopicPartition partition, long offset) {
    public String tenant() {
      return state.getTenant();
    }

    public boolean isFinal() {
      return JobStates.isFinal(state.getStatus());
    }
  }

  private final TopicReader<JobState> reader;
  private final Map<String, Entry> byId = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Entry>> byTenant = new ConcurrentHashMap<>();

  /**
   * The queued jobs of each model, so a job's place in its queue costs that queue's length, not the
   * index's.
   */
  private final Map<String, Map<String, Entry>> queuedByModel = new ConcurrentHashMap<>();

  /** Each tenant's queued and running jobs, for its active-job cap. */
  private final Map<String, Map<String, Entry>> activeByTenant = new ConcurrentHashMap<>();

  public JobIndex(KafkaClients kafka, TopicNames names) {
    this.reader =
        new TopicReader<>(
            kafka,
            names.jobState(),
            JobState::parseFrom,
            new TopicReader.Handler<>() {
              @Override
              public void value(ConsumerRecord<String, byte[]> record, JobState state) {
                if (record.key() != null && record.key().equals(state.getJobId())) {
                  // values no JSON can carry (a time out of range, an enum number of a newer build)
                  // are not held: every lookup of the job would fail on them
                  put(
                      KnownValues.stripped(state),
                      new TopicPartition(record.topic(), record.partition()),
                      record.offset());
                }
              }

              @Override
              public void tombstone(ConsumerRecord<String, byte[]> record) {
                remove(record.key()); // the job aged out of the topic
              }
            },
            Duration.ofMillis(100),
            LOG);
  }

  @Override
  public void run() {
    reader.run();
  }

  /**
   * Takes a state in unless a newer one of its job is held: read from the topic, or written by this
   * gateway (which then answers for a job it just enqueued before the topic reader reaches it).
   * Synchronized with {@link #remove}, so the per-tenant and per-model maps always hold the entry
   * that won.
   */
  public synchronized void put(JobState state, TopicPartition partition, long offset) {
    Entry arriving = new Entry(withoutSamples(state), partition, offset);
    Entry kept =
        byId.merge(
            state.getJobId(),
            arriving,
            (held, next) ->
                JobStates.newer(held.state(), next.state()) == next.state() ? next : held);
    if (kept == arriving) {
      byTenant
          .computeIfAbsent(state.getTenant(), t -> new ConcurrentHashMap<>())
          .put(state.getJobId(), kept);
      Map<String, Entry> waiting =
          queuedByModel.computeIfAbsent(state.getModelName(), m -> new ConcurrentHashMap<>());
      if (state.getStatus() == JobStatus.QUEUED) {
        waiting.put(state.getJobId(), kept);
      } else {
        waiting.remove(state.getJobId());
      }
      Map<String, Entry> active =
          activeByTenant.computeIfAbsent(state.getTenant(), t -> new ConcurrentHashMap<>());
      if (kept.isFinal()) {
        active.remove(state.getJobId());
      } else {
        active.put(state.getJobId(), kept);
      }
    }
  }

  private static JobState withoutSamples(JobState state) {
    return state.hasResult()
        ? state.toBuilder().setResult(state.getResult().toBuilder().clearSamples()).build()
        : state;
  }

  private synchronized void remove(String jobId) {
    if (jobId == null) {
      return;
    }
    Entry gone = byId.remove(jobId);
    if (gone != null) {
      Map<String, Entry> of = byTenant.get(gone.tenant());
      if (of != null) {
        of.remove(jobId);
      }
      Map<String, Entry> waiting = queuedByModel.get(gone.state().getModelName());
      if (waiting != null) {
        waiting.remove(jobId);
      }
      Map<String, Entry> active = activeByTenant.get(gone.tenant());
      if (active != null) {
        active.remove(jobId);
      }
    }
  }

  /** The job, if any gateway enqueued it or any worker wrote its state. */
  public Optional<Entry> get(String jobId) {
    return Optional.ofNullable(byId.get(jobId));
  }

  /** The jobs of one tenant, in no order. */
  public Collection<Entry> ofTenant(String tenant) {
    return byTenant.getOrDefault(tenant, Map.of()).values();
  }

  /** Jobs of one tenant that are queued or running. */
  public long activeJobs(String tenant) {
    return activeByTenant.getOrDefault(tenant, Map.of()).size();
  }

  /** Every queued job of one model, in no order. */
  public List<Entry> queued(String model) {
    return List.copyOf(queuedByModel.getOrDefault(model, Map.of()).values());
  }

  /** How many jobs the index holds. */
  public int size() {
    return byId.size();
  }

  /** The partitions this index reads. */
  public List<TopicPartition> partitions() {
    return reader.partitions();
  }

  /** True once every state written before {@code endOffsets} were taken is in the index. */
  public boolean hasRead(Map<TopicPartition, Long> endOffsets) {
    return reader.hasRead(endOffsets);
  }

  @Override
  public void close() {
    reader.close();
  }
}
