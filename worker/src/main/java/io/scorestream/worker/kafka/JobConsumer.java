package io.scorestream.worker.kafka;

import io.scorestream.jobs.kafka.FleetView;
import io.scorestream.jobs.kafka.JobHistory;
import io.scorestream.jobs.kafka.JobStateView;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.KafkaErrors;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.worker.jobs.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one topic of jobs, {@code scorestream.jobs} or a model's pool, as one member of its
 * consumer group and hands each record to the {@link JobIntake}. A job's record is committed only
 * after its final event is acknowledged (or the record was routed on and the broker has it), so a
 * worker that dies mid-job loses nothing: the job is delivered again and runs as the next attempt.
 * Reading pauses while the job-state and fleet views catch up after an assignment, while the
 * scheduler's backlog is full, and once the worker drains.
 */
public final class JobConsumer implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobConsumer.class);

  /** The longest a revocation waits for the scheduler to drop the partitions' jobs. */
  private static final Duration ABANDON_WAIT = Duration.ofSeconds(10);

  /**
   * The consumer group every worker on these topics joins to share the jobs topic: {@code
   * <prefix>-workers} ({@code scorestream-workers} by default), so deployments under other prefixes
   * on one cluster keep apart.
   */
  public static String group(TopicNames names) {
    return names.prefix() + "-workers";
  }

  /** The consumer group of the workers that serve a model, to share its pool. */
  public static String poolGroup(TopicNames names, String model) {
    return group(names) + ".model." + model;
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final TopicNames names;
  private final Scheduler scheduler;
  private final KafkaEventSink sink;
  private final JobStateView view;
  private final FleetView fleet;
  private final JobRouter router;

  /** The topic this consumer reads: the shared jobs topic, or one model's pool. */
  private final String topic;

  private final JobIntake intake;
  private final PartitionOffsets offsets = new PartitionOffsets();

  /**
   * What was last committed per partition: a commit (and the producer flush before it) happens only
   * where the offset moved, not every 200 ms for ever. Poll thread only.
   */
  private final Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
      new HashMap<>();

  private final ConcurrentLinkedQueue<Map.Entry<TopicPartition, Long>> finished =
      new ConcurrentLinkedQueue<>();
  private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * True from an assignment until the view has read the job-state topic to its end: only the poll
   * thread uses it. Syncing once per assignment, not per poll, keeps a round trip (which waits
   * behind the consumer's pending fetch, up to its fetch.max.wait) off every job's pick-up.
   */
  private boolean stateUnsynced;

  /**
   * The job-state end offsets the view must reach before the jobs of newly assigned partitions are
   * judged.
   */
  private Map<TopicPartition, Long> syncTarget;

  private final int maxBacklog;

  /** True from a record that found the scheduler's backlog full until half of it has started. */
  private boolean backlogFull;

  /**
   * True while reading is paused (backlog full, view syncing or draining): only the poll thread
   * uses these.
   */
  private boolean paused;

  /** Set once the worker drains: it reads no more jobs. */
  private volatile boolean stopReading;

  /**
   * @param maxBacklog how many delivered jobs may wait in the scheduler before this consumer stops
   *     reading more (the rest stay in Kafka, where another worker may get them after a rebalance)
   */
  public JobConsumer(
      KafkaClients kafka,
      TopicNames names,
      String workerId,
      String group,
      String topic,
      Scheduler scheduler,
      KafkaEventSink sink,
      JobStateView view,
      FleetView fleet,
      JobRouter router,
      int maxBacklog) {
    this.topic = topic;
    this.maxBacklog = maxBacklog;
    this.fleet = fleet;
    this.router = router;
    this.names = names;
    this.scheduler = scheduler;
    this.sink = sink;
    this.view = view;
    this.intake = new JobIntake(names, scheduler, sink, view, new JobHistory(kafka, names), router);
    this.consumer =
        kafka.consumer(
            Map.of(
                ConsumerConfig.GROUP_ID_CONFIG,
                group, // the workers that share these jobs
                ConsumerConfig.CLIENT_ID_CONFIG,
                workerId + "@" + topic, // names this worker and topic in the group
                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                "consumer", // KIP-848: incremental, broker-side assignment
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false, // commit only after a job's final event
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest", // a new group serves jobs already queued
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                100, // the scheduler queues, the poll loop stays quick
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Topics.MAX_MESSAGE_BYTES, // a request of a whole record
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                50)); // jobs were seen 0.5 s late with the default
  }

  @Override
  public void run() {
    try {
      ConsumerRebalanceListener rebalances =
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
              // the next owner may start these jobs as soon as this returns: first make sure
              // nothing more is sent for them here, then commit what finished (which flushes what
              // was sent) so its view sees their ends
              LOG.debug("{}: partitions {} revoked", topic, partitions);
              awaitAbandoned(partitions);
              if (sink.fatalError() == null) { // after a fatal error nothing more is committed
                commit();
              }
              forget(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              LOG.debug("{}: partitions {} assigned", topic, partitions);
              assigned.addAll(partitions);
              if (!partitions.isEmpty()) {
                stateUnsynced = true;
                // taken anew: it must cover every state written before these partitions came
                syncTarget = null;
              }
              if (paused) {
                consumer.pause(partitions); // reading is paused for all partitions alike
              }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
              LOG.warn("{}: partitions {} lost", topic, partitions);
              // another worker may run them already: stop sending for them at once
              awaitAbandoned(partitions);
              forget(partitions);
            }
          };
      consumer.subscribe(List.of(topic), rebalances);
      long lastCommit = System.nanoTime();
      while (!closed) {
        if (stateUnsynced) {
          // states written before these partitions came here must be in the view before their jobs
          // are judged; later ones are this worker's own, which it puts in the view as it writes
          // them. However long the view takes (a week of states at start-up), reading stays paused
          // and the poll loop goes on.
          if (syncTarget == null) {
            List<TopicPartition> read = new ArrayList<>(view.partitions());
            read.addAll(fleet.partitions()); // routing asks the fleet's heartbeats too
            syncTarget = consumer.endOffsets(read);
          }
          if (view.hasRead(syncTarget) && fleet.hasRead(syncTarget)) {
            stateUnsynced = false;
            syncTarget = null;
          }
        }
        if (backlogFull && scheduler.backlog() <= maxBacklog / 2) {
          backlogFull = false;
        }
        updatePause();
        // while the view syncs, come back soon to see whether it has caught up
        ConsumerRecords<String, byte[]> records =
            consumer.poll(Duration.ofMillis(stateUnsynced ? 5 : 100));
        if (!records.isEmpty()) {
          handOver(records);
        }
        if (System.nanoTime() - lastCommit > 200_000_000L) {
          commit();
          lastCommit = System.nanoTime();
        }
      }
      commit();
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } finally {
      consumer.close();
      intake.close();
    }
  }

  /**
   * Hands the records to the scheduler while its backlog has room and the view is in sync; from the
   * first that cannot go (all of them, when a rebalance in this poll brought partitions the view
   * has not caught up with), it rewinds each partition to its first record not handed over, to be
   * read again once reading resumes.
   */
  private void handOver(ConsumerRecords<String, byte[]> records) {
    Map<TopicPartition, Long> rewind = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      if (!stateUnsynced && !backlogFull && scheduler.backlog() >= maxBacklog) {
        backlogFull = true;
      }
      if (stateUnsynced || backlogFull) {
        rewind.putIfAbsent(
            partition, record.offset()); // records come in offset order within a partition
        continue;
      }
      deliver(record);
    }
    rewind.forEach(consumer::seek);
    updatePause();
  }

  /**
   * Pauses or resumes reading every assigned partition as draining, a full backlog or a syncing
   * view ask.
   */
  private void updatePause() {
    boolean pause = stopReading || backlogFull || stateUnsynced;
    if (pause != paused) {
      if (pause) {
        consumer.pause(consumer.assignment());
      } else {
        consumer.resume(consumer.assignment());
      }
      paused = pause;
    }
  }

  /**
   * Forgets partitions that went to another worker, once their unfinished jobs are abandoned here.
   */
  private void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(offsets::revoke);
    partitions.forEach(committed::remove);
    assigned.removeAll(partitions);
  }

  /**
   * Has the scheduler drop the unfinished jobs of these partitions and waits until it has (one
   * model call at most), so that a job's final event cannot leave this worker after its next owner
   * has looked the job up.
   */
  private void awaitAbandoned(Collection<TopicPartition> partitions) {
    Set<String> jobIds = new HashSet<>();
    partitions.forEach(p -> jobIds.addAll(offsets.unfinished(p)));
    if (jobIds.isEmpty()) {
      return;
    }
    try {
      scheduler.abandon(jobIds).get(ABANDON_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // a scheduler stuck for this long is in trouble of its own; the partitions go on regardless
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Hands one record to the intake, which tells it when the record's job is done (finished or
   * handed on). A record the intake fails on for what it holds goes to the dead letter and is
   * committed; a Kafka client's own failure (not this record's) stops the consumer, and with it the
   * worker.
   */
  private void deliver(ConsumerRecord<String, byte[]> record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    long offset = record.offset();
    try {
      intake.take(
          record,
          jobId -> {
            offsets.delivered(partition, offset, jobId);
            return () -> finished.add(Map.entry(partition, offset));
          });
    } catch (RuntimeException e) {
      if (e instanceof KafkaException && !KafkaErrors.recordFault(e)) {
        throw e;
      }
      intake.unhandled(record, e);
      offsets.delivered(partition, offset, "");
      finished.add(
          Map.entry(partition, offset)); // it is in the dead letter: committed with the rest
    }
  }

  /**
   * Commits every partition up to its lowest unfinished job, once the final events before it are
   * acknowledged.
   */
  private void commit() {
    for (Map.Entry<TopicPartition, Long> done; (done = finished.poll()) != null; ) {
      offsets.finished(done.getKey(), done.getValue());
    }
    var committable = new HashMap<>(offsets.committable());
    committable
        .entrySet()
        .removeIf(e -> e.getValue().equals(committed.get(e.getKey()))); // nothing new there
    if (!committable.isEmpty()) {
      sink.flush();
      if (sink.fatalError() != null) {
        // a final event may be among the lost records: committing would lose its job, so stop
        // uncommitted instead
        throw new IllegalStateException(
            "not committing: an event was not delivered", sink.fatalError());
      }
      try {
        consumer.commitSync(committable);
        committed.putAll(committable);
      } catch (CommitFailedException | RebalanceInProgressException e) {
        // the partitions moved during a rebalance: their unfinished jobs run again elsewhere,
        // finished ones are skipped there through the job-state view; what is still ours is
        // committed next time
      }
    }
  }

  /**
   * Reads no more jobs from now on (the worker is draining); it still commits what finishes.
   * Thread-safe.
   */
  public void stopReading() {
    stopReading = true;
  }

  /** The job partitions this worker holds now. */
  public Set<TopicPartition> assignedPartitions() {
    return Set.copyOf(assigned);
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
  }
}
