package io.scorestream.gateway.webhooks;

import io.micrometer.core.instrument.MeterRegistry;
import io.scorestream.gateway.auth.Tenant;
import io.scorestream.gateway.auth.Tenants;
import io.scorestream.jobs.Faults;
import io.scorestream.jobs.KnownValues;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.PollLoop;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.proto.v1.WebhookDelivery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the deliveries waiting in the webhook outbox ({@code scorestream.webhooks}, compacted, one
 * record per delivery, a tombstone once it is done). The gateways share the outbox's partitions as
 * a consumer group; each reads its partitions from the beginning into memory (the pending
 * deliveries), attempts what is due, and writes every outcome back: a later attempt time, or a
 * tombstone once delivered, refused or given up. A gateway that stops leaves its deliveries on the
 * topic, and whichever gateway takes its partitions goes on with them.
 *
 * <p>Deliveries are at least once: a delivery made just before a crash may be made again, under the
 * same {@code webhook-id}, which receivers use to ignore the second.
 */
public final class WebhookDeliveries implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDeliveries.class);

  /** Attempts in flight at once, across receivers. */
  private static final int MAX_IN_FLIGHT = 64;

  private record Done(WebhookDelivery delivery, WebhookSender.Outcome outcome) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final Tenants tenants;
  private final WebhookSettings settings;
  private final WebhookSender sender;
  private final ExecutorService resolver =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "gateway-webhook-dns");
            t.setDaemon(true);
            return t;
          });
  private final MeterRegistry metrics;

  /**
   * Consumer thread only: the pending deliveries of this gateway's partitions, and which are being
   * attempted.
   */
  private final Map<String, WebhookDelivery> pending = new HashMap<>();

  private final Map<String, Integer> partitionOf = new HashMap<>();
  private final Set<String> inFlight = new HashSet<>();
  private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
  private final PollLoop loop;

  public WebhookDeliveries(
      KafkaClients kafka,
      TopicNames names,
      Vertx vertx,
      Tenants tenants,
      WebhookSettings settings,
      MeterRegistry metrics) {
    this.topic = names.webhooks();
    this.tenants = tenants;
    this.settings = settings;
    this.metrics = metrics;
    this.sender = new WebhookSender(vertx, settings.timeout(), 8);
    this.consumer =
        kafka.consumer(
            Map.of(
                ConsumerConfig.GROUP_ID_CONFIG,
                names.prefix() + ".gateway.webhook-deliveries", // gateways share the outbox
                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                "consumer", // KIP-848: gateways join and leave quickly
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false, // the topic is the state: read it from the start
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest", // (and nothing is committed)
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                500)); // small records; the loop stays quick
    this.producer =
        kafka.producer(
            Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all", // an outcome survives a broker's loss
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true, // a retried write is not written twice
                ProducerConfig.LINGER_MS_CONFIG,
                5)); // outcomes of a burst go in one request
    this.loop =
        new PollLoop(
            "webhook deliveries: reading " + topic,
            consumer,
            Duration.ofMillis(100),
            this::takeBatch,
            LOG);
  }

  @Override
  public void run() {
    consumer.subscribe(
        List.of(topic),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions);
          }

          @Override
          public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            consumer.seekToBeginning(
                partitions); // rebuild the pending deliveries of these partitions
          }
        });
    loop.run();
  }

  /** One poll: its records taken, the attempts that ended settled, and those now due started. */
  private void takeBatch(ConsumerRecords<String, byte[]> batch) throws InterruptedException {
    loop.each(batch, this::take);
    Done d;
    while ((d = done.poll()) != null) {
      settle(d.delivery(), d.outcome());
    }
    attemptDue();
  }

  private void forget(Collection<TopicPartition> partitions) {
    Set<Integer> gone = new HashSet<>();
    partitions.forEach(p -> gone.add(p.partition()));
    partitionOf
        .entrySet()
        .removeIf(
            e -> {
              if (gone.contains(e.getValue())) {
                pending.remove(e.getKey());
                return true;
              }
              return false;
            });
  }

  private void take(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      return;
    }
    if (r.value() == null) {
      pending.remove(r.key());
      partitionOf.remove(r.key());
      return;
    }
    try {
      WebhookDelivery delivery = WebhookDelivery.parseFrom(r.value());
      Optional<io.scorestream.jobs.Problem> unknown = KnownValues.problem(delivery);
      if (unknown.isPresent()) {
        LOG.warn(
            "webhook outbox: record {}@{} is not a delivery this gateway can make ({}); ignored",
            r.partition(),
            r.offset(),
            unknown.get().message());
        return;
      }
      pending.put(r.key(), delivery);
      partitionOf.put(r.key(), r.partition());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      LOG.warn(
          "webhook outbox: record {}@{} is not a delivery; ignored", r.partition(), r.offset());
    }
  }

  private void attemptDue() {
    Instant now = Instant.now();
    for (WebhookDelivery d : List.copyOf(pending.values())) {
      if (inFlight.size() >= MAX_IN_FLIGHT) {
        return;
      }
      if (!inFlight.contains(d.getDeliveryId())
          && !Times.instant(d.getNextAttemptAt()).isAfter(now)) {
        inFlight.add(d.getDeliveryId());
        Future<WebhookSender.Outcome> attempt;
        try {
          attempt = attempt(d);
        } catch (RuntimeException e) {
          // a delivery no attempt can make (a URL that does not parse): given up alone, the others
          // go on
          LOG.warn("webhook delivery {} cannot be attempted", d.getDeliveryId(), e);
          attempt = Future.succeededFuture(refused("it cannot be attempted: " + Faults.reason(e)));
        }
        attempt.onComplete(
            result ->
                done.add(
                    new Done(
                        d,
                        result.succeeded()
                            ? result.result()
                            : WebhookSender.Outcome.retry(String.valueOf(result.cause())))));
      }
    }
  }

  /** One attempt: the tenant's secret, the host resolved and checked, then the signed post. */
  Future<WebhookSender.Outcome> attempt(WebhookDelivery d) {
    Optional<String> secret =
        tenants.named(d.getTenant()).map(Tenant::webhookSecret).filter(s -> !s.isEmpty());
    if (secret.isEmpty()) {
      return Future.succeededFuture(
          refused("tenant " + d.getTenant() + " has no webhook secret any more"));
    }
    URI url = URI.create(d.getUrl());
    Optional<String> refusal = settings.policy().refuse(url);
    if (refusal.isPresent()) {
      return Future.succeededFuture(refused(refusal.get()));
    }
    CompletableFuture<InetAddress> address =
        CompletableFuture.supplyAsync(() -> resolve(url), resolver);
    return Future.fromCompletionStage(address)
        .compose(
            a -> {
              long timestamp = Instant.now().getEpochSecond();
              Map<String, String> headers =
                  Map.of(
                      "webhook-id", d.getDeliveryId(),
                      "webhook-timestamp", Long.toString(timestamp),
                      "webhook-signature",
                          WebhookSignature.sign(
                              secret.get(), d.getDeliveryId(), timestamp, d.getBody()));
              return sender.post(url, a, headers, d.getBody());
            },
            e ->
                Future.succeededFuture(
                    e.getCause() instanceof RefusedAddress r
                        ? refused(r.getMessage())
                        : WebhookSender.Outcome.retry(
                            String.valueOf(e.getCause() == null ? e : e.getCause()))));
  }

  /** A host whose addresses the policy refuses: refused for good, not retried. */
  private static final class RefusedAddress extends RuntimeException {
    RefusedAddress(String message) {
      super(message, null, false, false);
    }
  }

  private InetAddress resolve(URI url) {
    String host = WebhookPolicy.host(url);
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new CompletionException(e); // may come back: retried
    }
    for (InetAddress a : all) {
      Optional<String> refusal = settings.policy().refuse(a);
      if (refusal.isPresent()) {
        throw new RefusedAddress(host + " resolves to " + refusal.get());
      }
    }
    return all[0];
  }

  private static WebhookSender.Outcome refused(String why) {
    return new WebhookSender.Outcome(WebhookSender.Kind.REFUSED, why, Optional.empty());
  }

  /**
   * Writes an attempt's outcome to the outbox (and to memory at once, so it is not attempted again
   * meanwhile).
   */
  private void settle(WebhookDelivery d, WebhookSender.Outcome outcome) {
    inFlight.remove(d.getDeliveryId());
    int attempts = d.getAttempts() + 1;
    String result;
    WebhookDelivery next = null;
    if (outcome.kind() == WebhookSender.Kind.DELIVERED) {
      result = "delivered";
    } else if (outcome.kind() == WebhookSender.Kind.REFUSED) {
      result = "refused";
    } else if (attempts >= settings.maxAttempts()) {
      result = "gave_up";
    } else {
      result = "retry";
      Duration wait = outcome.retryAfter().orElseGet(() -> jitter(settings.backoff(attempts)));
      next =
          d.toBuilder()
              .setAttempts(attempts)
              .setLastError(outcome.detail())
              .setNextAttemptAt(Times.timestamp(Instant.now().plus(wait)))
              .build();
    }
    metrics.counter("gateway_webhook_attempts", "result", result).increment();
    if (!result.equals("delivered") && !result.equals("retry")) {
      LOG.warn(
          "webhook {} to {} {} after {} attempt(s): {}",
          d.getDeliveryId(),
          d.getUrl(),
          result.replace('_', ' '),
          attempts,
          outcome.detail());
    }
    boolean stillOurs = pending.containsKey(d.getDeliveryId());
    if (next == null) {
      pending.remove(d.getDeliveryId());
      partitionOf.remove(d.getDeliveryId());
    } else if (stillOurs) {
      pending.put(d.getDeliveryId(), next);
    }
    if (stillOurs || next == null) {
      producer.send(
          new ProducerRecord<>(topic, d.getDeliveryId(), next == null ? null : next.toByteArray()));
    }
  }

  private static Duration jitter(Duration d) {
    double f = 0.9 + 0.2 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis((long) (d.toMillis() * f));
  }

  /**
   * Makes one attempt of a delivery that is not kept in the outbox (news that the next event
   * replaces).
   */
  void once(WebhookDelivery d) {
    attempt(d)
        .onComplete(
            result ->
                metrics
                    .counter(
                        "gateway_webhook_attempts",
                        "result",
                        result.succeeded() && result.result().kind() == WebhookSender.Kind.DELIVERED
                            ? "delivered"
                            : "dropped")
                    .increment());
  }

  /** Deliveries this gateway holds (for its metrics). */
  public int pendingCount() {
    return pending.size();
  }

  @Override
  public void close() {
    loop.close();
    producer.close(Duration.ofSeconds(5));
    sender.close();
    resolver.shutdownNow();
  }
}
