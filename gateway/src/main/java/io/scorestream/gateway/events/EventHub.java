package io.scorestream.gateway.events;

import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.TopicReader;
import io.scorestream.jobs.kafka.WholeTopic;
import io.scorestream.proto.v1.JobEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every job event the gateway streams. One consumer tails {@code job-events} (from a look-back
 * window at start) and files each event under its job, in memory bounded per job and in all;
 * streams read from there and are woken when their job's events arrive. What memory no longer holds
 * (events before the window, or dropped to bound memory) is read back from Kafka, so a stream that
 * resumes from any event id gets every later event once, in order.
 *
 * <p>An event's stream id is its offset in its job's partition of {@code job-events}: the same on
 * every gateway and across restarts.
 */
public final class EventHub implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);

  /** What the hub holds in memory. */
  public record Limits(Duration lookBack, long maxBytesPerJob, long maxBytes) {
    public static Limits defaults() {
      return new Limits(Duration.ofMinutes(15), 8L << 20, 256L << 20);
    }
  }

  /** Where a stream's next events come from. */
  public sealed interface Next {}

  /** Events held in memory, from the cursor on (possibly none yet). */
  public record Held(List<StreamEvent> events) implements Next {}

  /** Events that must be read back from Kafka first. */
  public record Replay(CompletableFuture<List<StreamEvent>> events, long upTo) implements Next {}

  private final TopicReader<JobEvent> tail;
  private final String topic;
  private final int partitions;
  private final StreamEvent.Encoder encoder;
  private final EventReplay replay;
  private final Limits limits;
  private final Map<String, JobLog> logs = new ConcurrentHashMap<>();
  private final Map<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();
  private final Map<Integer, Long> startOffsets = new ConcurrentHashMap<>();
  private final AtomicLong heldBytes = new AtomicLong();
  private final Instant startedFrom;

  /**
   * Allowance for workers' clocks behind the gateway's when a job's age is judged by its submission
   * time.
   */
  private static final Duration CLOCK_MARGIN = Duration.ofSeconds(5);

  /** A hub over {@code names}' job-events, its faults logged once each, at WARN. */
  public EventHub(
      KafkaClients kafka, TopicNames names, StreamEvent.Encoder encoder, Limits limits) {
    this.topic = names.jobEvents();
    this.encoder = encoder;
    this.limits = limits;
    this.replay = new EventReplay(kafka, encoder, 2);
    KafkaConsumer<String, byte[]> consumer = WholeTopic.unassigned(kafka);
    List<TopicPartition> all = WholeTopic.partitions(consumer, topic);
    this.partitions = all.size();
    this.startedFrom = Instant.now().minus(limits.lookBack());
    Map<TopicPartition, Long> ends = consumer.endOffsets(all);
    Map<TopicPartition, OffsetAndTimestamp> found =
        consumer.offsetsForTimes(
            all.stream().collect(Collectors.toMap(p -> p, p -> startedFrom.toEpochMilli())));
    Map<TopicPartition, Long> from = new HashMap<>();
    for (TopicPartition p : all) {
      OffsetAndTimestamp at = found.get(p);
      long start = at != null ? at.offset() : ends.get(p);
      from.put(p, start);
      startOffsets.put(p.partition(), start);
    }
    this.tail =
        new TopicReader<>(
            "gateway events: tailing " + topic,
            consumer,
            from,
            JobEvent::parseFrom,
            this::take, // not an event, or a tombstone: nothing to stream
            Duration.ofMillis(200),
            LOG);
  }

  /**
   * Tails job-events until closed. An event the hub fails on is skipped alone (logged once with its
   * stack trace); a poll that fails is logged and tried again after a back-off: the tail never dies
   * of a record, and every tenant's streams go on.
   */
  @Override
  public void run() {
    tail.run();
  }

  /** Events the hub failed on and skipped since the start. */
  public long faults() {
    return tail.faults();
  }

  private void take(ConsumerRecord<String, byte[]> r, JobEvent event) {
    if (r.key() == null) {
      return;
    }
    StreamEvent e = StreamEvent.of(r.offset(), event, encoder);
    long now = System.nanoTime();
    JobLog log =
        logs.computeIfAbsent(r.key(), k -> new JobLog(startOffsets.get(r.partition()), now));
    long before = log.bytes();
    log.append(e, now);
    log.trimTo(limits.maxBytesPerJob());
    heldBytes.addAndGet(log.bytes() - before);
    if (heldBytes.get() > limits.maxBytes()) {
      evict();
    }
    Set<Runnable> waiting = listeners.get(r.key());
    if (waiting != null) {
      waiting.forEach(Runnable::run);
    }
  }

  /**
   * Frees memory: ended jobs' events first, least recently read first, down to three quarters of
   * the bound.
   */
  private void evict() {
    long target = limits.maxBytes() * 3 / 4;
    List<JobLog> order =
        logs.values().stream()
            .sorted(
                Comparator.comparing(JobLog::ended).reversed().thenComparingLong(JobLog::touched))
            .toList();
    for (JobLog log : order) {
      if (heldBytes.get() <= target) {
        return;
      }
      heldBytes.addAndGet(-log.trimTo(0));
    }
  }

  /** The partition of job-events that holds a job's events. */
  public TopicPartition partitionOf(String jobId) {
    return new TopicPartition(topic, JobClient.partitionFor(jobId, partitions));
  }

  /**
   * Calls {@code wake} (on the tail's thread: it must only schedule work) whenever an event of the
   * job arrives.
   */
  public Runnable listen(String jobId, Runnable wake) {
    listeners.computeIfAbsent(jobId, k -> ConcurrentHashMap.newKeySet()).add(wake);
    return () ->
        listeners.computeIfPresent(
            jobId,
            (k, set) -> {
              set.remove(wake);
              return set.isEmpty() ? null : set;
            });
  }

  /**
   * Where a stream of this job finds its next events.
   *
   * @param cursor the offset of the next event wanted, or -1 for the job's first
   * @param submittedAt when the job was submitted (where a replay of its first events starts)
   * @param max at most this many held events
   */
  public Next next(String jobId, long cursor, Instant submittedAt, int max) {
    TopicPartition topicPartition = partitionOf(jobId);
    int partition = topicPartition.partition();
    long tailStart = startOffsets.get(partition);
    JobLog log = logs.get(jobId);
    // a job younger than the look-back window had every event read by the tail
    boolean young = !submittedAt.isBefore(startedFrom.plus(CLOCK_MARGIN));
    // memory holds every event of the job at or after `from`; -1: not known to
    long from = log != null ? log.from() : young ? tailStart : -1;
    // the offset to go on from; -1: from the job's submission
    long start = cursor >= 0 ? cursor : young && from == tailStart ? from : -1;
    if (from >= 0 && start >= from) {
      return new Held(log == null ? List.of() : log.after(start, max, System.nanoTime()));
    }
    long tailAt = tail.position(topicPartition);
    if (from < 0 && start >= tailAt) {
      return new Held(
          List.of()); // read back up to where the tail is: what comes next will wake the stream
    }
    long upTo = from >= 0 ? from : tailAt;
    return new Replay(
        replay.read(topicPartition, jobId, start >= 0 ? start : null, submittedAt, upTo), upTo);
  }

  /**
   * How the job ended ({@code completed}, {@code failed} or {@code cancelled}), if the tail has
   * read its final event: the job state that says so may come a moment later.
   */
  public Optional<String> endedAs(String jobId, com.google.protobuf.ByteString digest) {
    JobLog log = logs.get(jobId);
    return log == null ? Optional.empty() : log.finalOf(digest).map(StreamEvent::type);
  }

  /** True once the tail has read up to these offsets of job-events. */
  public boolean hasRead(Map<TopicPartition, Long> endOffsets) {
    return endOffsets.entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic))
        .allMatch(e -> tail.position(e.getKey()) >= e.getValue());
  }

  /** Bytes of events held in memory. */
  public long heldBytes() {
    return heldBytes.get();
  }

  @Override
  public void close() {
    tail.close();
    replay.close();
  }
}
