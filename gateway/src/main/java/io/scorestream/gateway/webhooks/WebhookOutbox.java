package io.scorestream.gateway.webhooks;

import io.scorestream.gateway.events.StreamEvent;
import io.scorestream.gateway.view.JobIndex;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.PollLoop;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.Webhook;
import io.scorestream.proto.v1.WebhookDelivery;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns job events into webhook deliveries. The gateways read {@code job-events} as one consumer
 * group, so each event is looked at by one gateway; for a job whose webhook wants it, a final event
 * becomes a delivery in the durable outbox ({@link WebhookDeliveries} makes it, with retries)
 * before the event's offset is committed, so a gateway stopped at any moment loses none. Other
 * events are posted once, best effort (progress at most once a second per job), as they are only
 * news until the next one. Sampling never waits for any of this: it reads what the workers wrote.
 */
public final class WebhookOutbox implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookOutbox.class);

  private static final List<String> FINAL_EVENTS = List.of("completed", "failed", "cancelled");
  private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

  /**
   * How long a final event waits for its job's state to reach the index (the worker writes both at
   * once).
   */
  private static final Duration UNKNOWN_JOB_WAIT = Duration.ofSeconds(5);

  private static final int MAX_THROTTLED_JOBS = 100_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final String eventsTopic;
  private final String outboxTopic;
  private final JobIndex index;
  private final BooleanSupplier indexReady;
  private final StreamEvent.Encoder encoder;
  private final WebhookDeliveries deliveries;
  private final Map<String, Long> lastProgress = new HashMap<>();

  /**
   * How far back a partition no gateway has committed is read from (see {@link #startUncommitted}).
   */
  private static final Duration LOOK_BACK = Duration.ofMinutes(15);

  private final Instant startedAt = Instant.now();

  /** Partitions assigned since the last poll, to position when no gateway has committed them. */
  private final Set<TopicPartition> fresh = ConcurrentHashMap.newKeySet();

  private final PollLoop loop;
  private volatile boolean joined;

  public WebhookOutbox(
      KafkaClients kafka,
      TopicNames names,
      JobIndex index,
      BooleanSupplier indexReady,
      StreamEvent.Encoder encoder,
      WebhookDeliveries deliveries) {
    this.eventsTopic = names.jobEvents();
    this.outboxTopic = names.webhooks();
    this.index = index;
    this.indexReady = indexReady;
    this.encoder = encoder;
    this.deliveries = deliveries;
    this.consumer =
        kafka.consumer(
            Map.of(
                ConsumerConfig.GROUP_ID_CONFIG,
                names.prefix() + ".gateway.webhooks", // each event to one gateway
                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                "consumer", // KIP-848: gateways join and leave quickly
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false, // commit once the outbox holds the deliveries
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "latest", // uncommitted partitions: see startUncommitted
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                200, // a batch is committed after its outbox writes
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Topics.MAX_MESSAGE_BYTES)); // completed events carry samples
    this.producer =
        kafka.producer(
            Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all", // a delivery in the outbox survives a broker
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true, // a retried write is not a second delivery
                ProducerConfig.LINGER_MS_CONFIG,
                5)); // a batch's deliveries go in one request
    this.loop =
        new PollLoop(
            "webhook outbox: reading " + eventsTopic,
            consumer,
            Duration.ofMillis(200),
            this::takeBatch,
            LOG);
  }

  @Override
  public void run() {
    try {
      while (!loop.closed() && !indexReady.getAsBoolean()) {
        Thread.sleep(100); // a job's webhook is found in its state: read the states first
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (loop.closed() || Thread.currentThread().isInterrupted()) {
      consumer.close();
      return;
    }
    consumer.subscribe(
        List.of(eventsTopic),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // the offsets of what was taken are committed after each batch: nothing to hand over
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // positioned by the poll loop: no blocking calls in a rebalance callback
            fresh.addAll(partitions);
            joined = true;
          }
        });
    loop.run();
  }

  /**
   * One poll's events: their deliveries written to the outbox, then the offsets committed; a batch
   * whose deliveries were not all written is read again.
   */
  private void takeBatch(ConsumerRecords<String, byte[]> batch) throws InterruptedException {
    Set<TopicPartition> rewound = fresh.isEmpty() ? Set.of() : startUncommitted();
    if (batch.isEmpty()) {
      return;
    }
    List<Future<RecordMetadata>> writes = new ArrayList<>();
    List<ConsumerRecord<String, byte[]>> kept = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : batch) {
      // a rewound partition's records come again from where it was rewound to
      if (!rewound.contains(new TopicPartition(r.topic(), r.partition()))) {
        kept.add(r);
      }
    }
    loop.each(kept, r -> take(r, writes));
    if (written(writes)) {
      consumer.commitSync(next(batch));
    } else {
      rewind(batch); // retried: the outbox did not take this batch's deliveries
    }
  }

  /**
   * A partition that no gateway has committed yet starts a look-back window before this gateway
   * started, not at its end: events written while the group was forming (a job submitted just as
   * the first gateways came up) still get their webhooks, and a new deployment does not replay a
   * week of old jobs.
   */
  private Set<TopicPartition> startUncommitted() {
    Set<TopicPartition> partitions = new HashSet<>(fresh);
    fresh.removeAll(partitions);
    partitions.retainAll(consumer.assignment());
    if (partitions.isEmpty()) {
      return Set.of();
    }
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions);
    Map<TopicPartition, Long> since = new HashMap<>();
    for (TopicPartition p : partitions) {
      if (committed.get(p) == null) {
        since.put(p, startedAt.minus(LOOK_BACK).toEpochMilli());
      }
    }
    if (since.isEmpty()) {
      return Set.of();
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(since.keySet());
    consumer
        .offsetsForTimes(since)
        .forEach((p, found) -> consumer.seek(p, found != null ? found.offset() : ends.get(p)));
    return since.keySet();
  }

  private void take(ConsumerRecord<String, byte[]> r, List<Future<RecordMetadata>> writes)
      throws InterruptedException {
    if (r.key() == null || r.value() == null) {
      return;
    }
    Optional<JobIndex.Entry> known = index.get(r.key());
    if (known.isPresent() && !known.get().state().getSummary().hasWebhook()) {
      return; // most jobs: no webhook, and no need to read the event
    }
    JobEvent event;
    try {
      event = JobEvent.parseFrom(r.value());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return; // not an event: nothing to tell anyone
    }
    if (event.getAttempt() == 0) {
      return; // refusals of bytes that were no job's request
    }
    String type = event.getEventCase().name().toLowerCase(Locale.ROOT);
    boolean isFinal = FINAL_EVENTS.contains(type);
    Optional<JobIndex.Entry> job = known.isPresent() ? known : lookUp(r.key(), isFinal);
    if (isFinal) {
      lastProgress.remove(r.key());
    }
    if (job.isEmpty() || !job.get().state().getSummary().hasWebhook()) {
      return;
    }
    Webhook webhook = job.get().state().getSummary().getWebhook();
    List<String> wanted =
        webhook.getEventsList().isEmpty() ? FINAL_EVENTS : webhook.getEventsList();
    if (!wanted.contains(type) || (type.equals("progress") && throttled(r.key()))) {
      return;
    }
    StreamEvent streamed = StreamEvent.of(r.offset(), event, encoder);
    if (!streamed.belongsTo(job.get().state().getRequestDigest())) {
      return; // another request under the job's id
    }
    WebhookDelivery delivery =
        WebhookDelivery.newBuilder()
            .setDeliveryId("msg_" + r.key() + "_" + streamed.id())
            .setJobId(r.key())
            .setTenant(job.get().tenant())
            .setUrl(webhook.getUrl())
            .setType("job." + type)
            .setBody(payload(r.key(), type, streamed, event))
            .setNextAttemptAt(Times.now())
            .setCreatedAt(Times.now())
            .build();
    if (isFinal) {
      writes.add(
          producer.send(
              new ProducerRecord<>(outboxTopic, delivery.getDeliveryId(), delivery.toByteArray())));
    } else {
      deliveries.once(delivery);
    }
  }

  /** The Standard Webhooks payload: {@code {type, timestamp, data: {jobId, eventId, event}}}. */
  private static String payload(String jobId, String type, StreamEvent streamed, JobEvent event) {
    return new JsonObject()
        .put("type", "job." + type)
        .put("timestamp", Times.instant(event.getTime()).toString())
        .put(
            "data",
            new JsonObject()
                .put("jobId", jobId)
                .put("eventId", streamed.id())
                .put("event", new JsonObject(streamed.data())))
        .encode();
  }

  private Optional<JobIndex.Entry> lookUp(String jobId, boolean isFinal)
      throws InterruptedException {
    Optional<JobIndex.Entry> job = index.get(jobId);
    long deadline = System.nanoTime() + UNKNOWN_JOB_WAIT.toNanos();
    while (job.isEmpty() && isFinal && !loop.closed() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      job = index.get(jobId);
    }
    return job;
  }

  private boolean throttled(String jobId) {
    long now = System.nanoTime();
    Long last = lastProgress.get(jobId);
    if (last != null && now - last < PROGRESS_EVERY_NANOS) {
      return true;
    }
    if (lastProgress.size() >= MAX_THROTTLED_JOBS) {
      lastProgress.clear();
    }
    lastProgress.put(jobId, now);
    return false;
  }

  private boolean written(List<Future<RecordMetadata>> writes) throws InterruptedException {
    producer.flush();
    for (Future<RecordMetadata> w : writes) {
      try {
        w.get();
      } catch (ExecutionException e) {
        LOG.warn(
            "webhook outbox: a delivery could not be written ({}); the events are read again",
            e.getCause().getMessage());
        return false;
      }
    }
    return true;
  }

  private static Map<TopicPartition, OffsetAndMetadata> next(
      ConsumerRecords<String, byte[]> batch) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition p : batch.partitions()) {
      List<ConsumerRecord<String, byte[]>> records = batch.records(p);
      offsets.put(p, new OffsetAndMetadata(records.get(records.size() - 1).offset() + 1));
    }
    return offsets;
  }

  private void rewind(ConsumerRecords<String, byte[]> batch) throws InterruptedException {
    for (TopicPartition p : batch.partitions()) {
      consumer.seek(p, batch.records(p).get(0).offset());
    }
    Thread.sleep(1000);
  }

  /**
   * True once this gateway has joined the group that reads job events for webhooks. A group that
   * did not exist starts at the newest events, so a job's webhook is certain only for jobs
   * submitted after some gateway joined.
   */
  public boolean joined() {
    return joined;
  }

  @Override
  public void close() {
    loop.close();
    producer.close(Duration.ofSeconds(5));
  }
}
