package io.scorestream.gateway;

import io.scorestream.gateway.events.EventHub;
import io.scorestream.gateway.view.JobIndex;
import io.scorestream.jobs.kafka.Replication;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether this gateway can serve: the broker answers, ScoreStream's topics exist, and the job index
 * and event tail have read what the topics held when the gateway started (so no job it was told of
 * is answered with 404), and its webhook outbox takes part in reading the job events.
 */
public final class Readiness {
  private static final long TIMEOUT_MS = 3_000;
  private final Admin admin;
  private final TopicNames names;
  private final JobIndex index;
  private final EventHub hub;
  private final Map<TopicPartition, Long> indexEnd;
  private final Map<TopicPartition, Long> eventsEnd;
  private final BooleanSupplier webhooksJoined;
  private volatile boolean caughtUp;

  Readiness(
      Admin admin,
      TopicNames names,
      JobIndex index,
      EventHub hub,
      Map<TopicPartition, Long> indexEnd,
      Map<TopicPartition, Long> eventsEnd,
      BooleanSupplier webhooksJoined) {
    this.webhooksJoined = webhooksJoined;
    this.admin = admin;
    this.names = names;
    this.index = index;
    this.hub = hub;
    this.indexEnd = indexEnd;
    this.eventsEnd = eventsEnd;
  }

  /** True once the views have read what the topics held at start. */
  public boolean caughtUp() {
    if (!caughtUp) {
      caughtUp = index.hasRead(indexEnd) && hub.hasRead(eventsEnd);
    }
    return caughtUp;
  }

  /**
   * What keeps the gateway from serving now; empty when it is ready. Blocks for up to a few
   * seconds.
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    try {
      Set<String> present = admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      List<String> missing =
          Topics.all(names, Replication.SINGLE).stream()
              .map(t -> t.name())
              .filter(t -> !present.contains(t))
              .toList();
      if (!missing.isEmpty()) {
        problems.add("topics missing: " + String.join(", ", missing));
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      problems.add(
          "the Kafka broker did not answer within "
              + TIMEOUT_MS
              + " ms: "
              + e.getClass().getSimpleName());
    }
    if (!caughtUp()) {
      problems.add("still reading the job states and events written before this gateway started");
    }
    if (!webhooksJoined.getAsBoolean()) {
      problems.add("the webhook outbox has not joined its consumer group yet");
    }
    return problems;
  }
}
