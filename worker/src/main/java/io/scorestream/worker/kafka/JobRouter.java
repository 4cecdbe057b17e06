package io.scorestream.worker.kafka;

import io.scorestream.jobs.RequestChecks;
import io.scorestream.jobs.kafka.FleetView;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.worker.models.ModelRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a delivered job runs in a fleet whose workers serve different models (docs/worker.md,
 * "Mixed fleets"). A job from the shared jobs topic runs here when this worker serves its model;
 * otherwise it is routed to its model's pool topic when the fleet's heartbeats say that some worker
 * serves the model, and the workers that do read that pool as a group of their own; otherwise it
 * stays here, to be refused as a model no worker serves. A guided job needs its model and its
 * classifier on one worker: it runs here when this worker serves both, else goes to the
 * classifier's pool when some worker serves both. It also creates the pool topics of this worker's
 * models, and says which of its models it may advertise (only those whose pool exists, so that no
 * job is routed to a pool that is not there). Thread-safe.
 */
public final class JobRouter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobRouter.class);

  /**
   * How recent a heartbeat must be for its worker to count as serving its models ({@link
   * FleetView#LIVENESS}).
   */
  public static final Duration LIVENESS = FleetView.LIVENESS;

  private final ModelRegistry models;
  private final FleetView fleet;
  private final TopicNames names;
  private final KafkaClients kafka;
  private final Set<String> pools = ConcurrentHashMap.newKeySet();
  private volatile Admin admin;

  public JobRouter(ModelRegistry models, FleetView fleet, TopicNames names, KafkaClients kafka) {
    this.models = models;
    this.fleet = fleet;
    this.names = names;
    this.kafka = kafka;
  }

  /**
   * The pool a job delivered from {@code topic} goes to (named by its model, or for a guided job by
   * its classifier, whose pool the workers that serve the classifier read), or empty when it runs
   * (or is refused) here.
   */
  Optional<String> pool(String topic, GenerateRequest request) {
    if (!topic.equals(names.jobs())) {
      return Optional.empty();
    }
    String model = request.getModelName();
    if (!RequestChecks.MODEL_NAME.matcher(model).matches()) {
      return Optional.empty(); // no pool has such a name: the job is refused here, naming modelName
    }
    if (!request.hasGuidance()) {
      return models.versions(model).isEmpty()
              && fleet.served(model, Instant.now(), LIVENESS)
              && poolExists(model)
          ? Optional.of(model)
          : Optional.empty();
    }
    String classifier = request.getGuidance().getClassifier();
    if (!RequestChecks.MODEL_NAME.matcher(classifier).matches()) {
      return Optional.empty(); // refused here, naming guidance.classifier
    }
    boolean here =
        !models.versions(model).isEmpty() && !models.classifierVersions(classifier).isEmpty();
    return !here
            && fleet.servedTogether(model, classifier, Instant.now(), LIVENESS)
            && poolExists(classifier)
        ? Optional.of(classifier)
        : Optional.empty();
  }

  /**
   * True when the pool topic of {@code model} exists (as the cluster's topic list, at most {@link
   * #TOPICS_MAX_AGE} old, says): a heartbeat that names a model whose pool is gone (deleted, or a
   * stale or hostile beat) must not send jobs to a topic that is not there, where the send would
   * wait out its timeout and stop the worker. When the list cannot be read, the heartbeat alone
   * decides, as before.
   */
  private boolean poolExists(String model) {
    if (pools.contains(model)) {
      return true;
    }
    Set<String> topics = topics(TOPICS_MAX_AGE);
    if (topics != null && !topics.contains(names.pool(model))) {
      topics =
          topics(
              Duration.ofMillis(
                  500)); // a pool made a moment ago: read the list again before refusing
    }
    return topics == null || topics.contains(names.pool(model));
  }

  /** How old the cluster's topic list may be when routing asks it (and finds the pool). */
  static final Duration TOPICS_MAX_AGE = Duration.ofSeconds(5);

  private Set<String> topics;
  private long topicsReadAt;

  private synchronized Set<String> topics(Duration maxAge) {
    long now = System.nanoTime();
    if (topics == null || now - topicsReadAt > maxAge.toNanos()) {
      try {
        topics = Set.copyOf(admin().listTopics().names().get(15, TimeUnit.SECONDS));
        topicsReadAt = now;
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        LOG.warn("cannot list the cluster's topics to check a pool: {}", e.toString());
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return topics;
  }

  private synchronized Admin admin() {
    if (admin == null) {
      admin =
          kafka.admin(
              Map.of(
                  AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                      15_000, // a cluster that is down fails quickly,
                  AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                      15_000)); // and the caller tries again later
    }
    return admin;
  }

  /**
   * Makes sure the pool topic of a model this worker serves exists; true once it does. A pool that
   * cannot be created now is logged and tried again at the next call.
   */
  synchronized boolean ensurePool(String model) {
    if (pools.contains(model)) {
      return true;
    }
    try {
      Admin admin = admin();
      Topics.ensure(admin, List.of(Topics.pool(names, model, Topics.replication(admin, kafka))));
      pools.add(model);
      return true;
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      LOG.warn("cannot create the pool topic {} yet: {}", names.pool(model), cause.getMessage());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * True when heartbeats may say that this worker serves {@code model}: its pool exists.
   * Thread-safe.
   */
  public boolean advertised(String model) {
    return pools.contains(model);
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
  }
}
