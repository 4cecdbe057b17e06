package io.scorestream.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scorestream.gateway.auth.Tenants;
import io.scorestream.gateway.events.EventHub;
import io.scorestream.gateway.http.ApiVerticle;
import io.scorestream.gateway.http.EventJson;
import io.scorestream.gateway.view.JobIndex;
import io.scorestream.gateway.view.ResultReader;
import io.scorestream.gateway.webhooks.WebhookDeliveries;
import io.scorestream.gateway.webhooks.WebhookOutbox;
import io.scorestream.gateway.webhooks.WebhookPolicy;
import io.scorestream.gateway.webhooks.WebhookSettings;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.jobs.kafka.FleetView;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.TrainingCurves;
import io.scorestream.jobs.kafka.WholeTopic;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway service: builds its object graph (views of the job states, events and fleet read from
 * Kafka, the job client, the HTTP server) from {@link Settings}, starts it, and stops it. Stateless
 * itself: everything it knows is on Kafka, so gateways run side by side and a restarted one knows
 * every job.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  /**
   * What a gateway is started with.
   *
   * @param host the address to listen on
   * @param port the port, 0 for any free one
   * @param limits the largest jobs accepted
   * @param events what the event hub holds in memory
   * @param heartbeat how often an idle event stream gets a keep-alive comment
   * @param stall how long a stream waits for a client that takes nothing before telling it to
   *     resume later
   * @param webhooks where webhooks may go and how they are retried
   */
  public record Settings(
      KafkaClients kafka,
      TopicNames names,
      Tenants tenants,
      String host,
      int port,
      RequestChecks.Limits limits,
      EventHub.Limits events,
      Duration heartbeat,
      Duration stall,
      WebhookSettings webhooks) {
    /** Defaults: webhooks to public https hosts only. */
    public static Settings of(
        KafkaClients kafka, TopicNames names, Tenants tenants, String host, int port) {
      return new Settings(
          kafka,
          names,
          tenants,
          host,
          port,
          RequestChecks.Limits.withMaxSamples(1 << 20),
          EventHub.Limits.defaults(),
          Duration.ofSeconds(15),
          Duration.ofSeconds(30),
          WebhookSettings.defaults(WebhookPolicy.publicHttps()));
    }

    public Settings withWebhooks(WebhookSettings webhooks) {
      return new Settings(
          kafka, names, tenants, host, port, limits, events, heartbeat, stall, webhooks);
    }
  }

  private final List<AutoCloseable> closing = new ArrayList<>();
  private volatile boolean stopping;
  private Vertx vertx;
  private ApiVerticle api;
  private String host;

  private Gateway() {}

  /**
   * Starts a gateway; returns once it listens. The views catch up in the background (see {@code
   * /readyz}).
   */
  public static Gateway start(Settings s) throws Exception {
    Gateway g = new Gateway();
    try {
      g.startAll(s);
      return g;
    } catch (Exception | Error e) {
      g.close();
      throw e;
    }
  }

  private void startAll(Settings s) throws Exception {
    this.host = s.host();
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Admin admin =
        s.kafka()
            .admin(
                Map.of(
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        3_000, // readiness answers within seconds
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        5_000)); // (at least the request timeout)
    closing.add(admin);
    JobIndex index = started(new JobIndex(s.kafka(), s.names()), "gateway-job-index");
    EventHub hub =
        started(new EventHub(s.kafka(), s.names(), new EventJson(), s.events()), "gateway-events");
    Gauge.builder("gateway_event_faults", hub, EventHub::faults).register(metrics);
    FleetView fleet = started(new FleetView(s.kafka(), s.names()), "gateway-fleet");
    TrainingCurves curves =
        started(new TrainingCurves(s.kafka(), s.names()), "gateway-training-curves");
    Map<TopicPartition, Long> indexEnd;
    Map<TopicPartition, Long> eventsEnd;
    try (var consumer = WholeTopic.unassigned(s.kafka())) {
      indexEnd = consumer.endOffsets(index.partitions());
      eventsEnd = consumer.endOffsets(WholeTopic.partitions(consumer, s.names().jobEvents()));
    }
    ResultReader results = new ResultReader(s.kafka());
    closing.add(results);
    JobClient client = new JobClient(s.kafka(), s.names());
    closing.add(client);
    Gauge.builder("gateway_jobs_known", index, JobIndex::size).register(metrics);
    Gauge.builder("gateway_event_bytes_held", hub, EventHub::heldBytes).register(metrics);
    vertx = Vertx.vertx();
    WebhookDeliveries deliveries =
        started(
            new WebhookDeliveries(s.kafka(), s.names(), vertx, s.tenants(), s.webhooks(), metrics),
            "gateway-webhook-deliveries");
    WebhookOutbox outbox =
        started(
            new WebhookOutbox(
                s.kafka(),
                s.names(),
                index,
                () -> index.hasRead(indexEnd),
                new EventJson(),
                deliveries),
            "gateway-webhook-outbox");
    Readiness readiness =
        new Readiness(admin, s.names(), index, hub, indexEnd, eventsEnd, outbox::joined);
    Gauge.builder("gateway_webhooks_pending", deliveries, WebhookDeliveries::pendingCount)
        .register(metrics);
    api =
        new ApiVerticle(
            new ApiVerticle.Dependencies(
                s.tenants(),
                index,
                hub,
                results,
                fleet,
                curves,
                client,
                new RequestChecks(s.limits()),
                readiness,
                metrics,
                s.webhooks().policy()),
            s.host(),
            s.port(),
            s.heartbeat(),
            s.stall());
    vertx.deployVerticle(api).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private <T extends Runnable & AutoCloseable> T started(T reader, String name) {
    closing.add(reader);
    Thread t = new Thread(reader, name);
    // the readers skip what they fail on and read on; a thread that still ends says why
    t.setUncaughtExceptionHandler(
        (thread, e) -> {
          // while the gateway stops, a part may fail on another one closed before it
          if (!stopping) {
            LOG.error("{} stopped", name, e);
          }
        });
    t.setDaemon(true);
    t.start();
    return reader;
  }

  /** The port it listens on. */
  public int port() {
    return api.actualPort();
  }

  /** Its base URL, e.g. {@code http://127.0.0.1:8080}. */
  public String url() {
    String shown = host.equals("0.0.0.0") ? "127.0.0.1" : host;
    return "http://" + shown + ":" + port();
  }

  @Override
  public void close() {
    stopping = true;
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // stopping anyway: the readers below close regardless
      }
    }
    for (int i = closing.size() - 1; i >= 0; i--) {
      try {
        closing.get(i).close();
      } catch (Exception e) {
        // each part closes on its own
      }
    }
  }
}
