package io.scorestream.jobs.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every service does with the cluster before it starts: waits for the brokers it is told to
 * expect, creates the fleet's missing topics replicated for that cluster, and refuses to start when
 * an existing topic keeps fewer copies than that (a topic made while one broker of three was up
 * stays unreplicated for good unless someone raises it).
 */
public final class FleetTopics {
  private static final Logger LOG = LoggerFactory.getLogger(FleetTopics.class);

  /** How long a service waits for the brokers it expects before it gives up. */
  public static final Duration BROKER_WAIT = Duration.ofMinutes(5);

  private FleetTopics() {}

  /**
   * Makes the cluster ready for a service: see the class comment. A cluster it cannot reach, or
   * that lacks the expected brokers after {@link #BROKER_WAIT}, is an error naming it.
   *
   * @throws IllegalStateException naming the cluster, or the topic and what it lacks
   */
  public static void ensureAll(KafkaClients kafka, TopicNames names) throws InterruptedException {
    ensureAll(kafka, names, BROKER_WAIT);
  }

  /** As {@link #ensureAll(KafkaClients, TopicNames)}, waiting {@code wait} for the brokers. */
  static void ensureAll(KafkaClients kafka, TopicNames names, Duration wait)
      throws InterruptedException {
    try (Admin admin =
        kafka.admin(
            Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000))) { // fail within 30 s on a wrong address
      int brokers = awaitBrokers(admin, kafka, wait);
      Replication replication =
          Replication.forBrokers(kafka.expectedBrokers() > 0 ? kafka.expectedBrokers() : brokers);
      List<NewTopic> topics = Topics.all(names, replication);
      Topics.ensure(admin, topics);
      refuseUnderReplicated(admin, topics.stream().map(NewTopic::name).toList(), replication);
    }
  }

  /** Waits until the cluster has the brokers {@code kafka} expects; returns how many it has. */
  private static int awaitBrokers(Admin admin, KafkaClients kafka, Duration wait)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    long nextLog = 0;
    while (true) {
      int brokers = brokers(admin, kafka);
      if (brokers >= kafka.expectedBrokers()) {
        return brokers;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Kafka at "
                + kafka.bootstrapServers()
                + " has "
                + brokers
                + " broker(s) after "
                + wait.toSeconds()
                + " s, not the "
                + kafka.expectedBrokers()
                + " expected (--expect-brokers)");
      }
      if (System.nanoTime() > nextLog) {
        LOG.info(
            "waiting for {} Kafka brokers at {}: {} up",
            kafka.expectedBrokers(),
            kafka.bootstrapServers(),
            brokers);
        nextLog = System.nanoTime() + 10_000_000_000L;
      }
      Thread.sleep(500);
    }
  }

  private static int brokers(Admin admin, KafkaClients kafka) throws InterruptedException {
    try {
      return admin.describeCluster().nodes().get().size();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot reach Kafka at " + kafka.bootstrapServers() + ": " + e.getCause().getMessage(),
          e.getCause());
    }
  }

  /**
   * What a topic keeps, as the cluster reports it now.
   *
   * @param name the topic
   * @param partitions its partition count
   * @param replicas the fewest copies any partition has
   * @param inSync the fewest copies in sync in any partition (below {@code replicas} while a broker
   *     is down or catching up)
   * @param minInsync its {@code min.insync.replicas}
   * @param leaders each partition's leader, by broker id (-1: none)
   */
  public record TopicReplicas(
      String name,
      int partitions,
      int replicas,
      int inSync,
      int minInsync,
      List<Integer> leaders) {}

  /** The replication of {@code topics}, sorted by name. */
  public static List<TopicReplicas> describe(Admin admin, Collection<String> topics)
      throws InterruptedException {
    Map<String, TopicDescription> described;
    Map<ConfigResource, Config> configs;
    List<ConfigResource> resources = new ArrayList<>();
    topics.forEach(t -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t)));
    try {
      described = admin.describeTopics(topics).allTopicNames().get();
      configs = admin.describeConfigs(resources).all().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot describe the topics " + topics + ": " + e.getCause().getMessage(), e.getCause());
    }
    List<TopicReplicas> out = new ArrayList<>();
    for (String topic : topics.stream().sorted().toList()) {
      List<TopicPartitionInfo> parts = described.get(topic).partitions();
      ConfigEntry entry =
          configs
              .get(new ConfigResource(ConfigResource.Type.TOPIC, topic))
              .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
      out.add(
          new TopicReplicas(
              topic,
              parts.size(),
              parts.stream().mapToInt(p -> p.replicas().size()).min().orElse(0),
              parts.stream().mapToInt(p -> p.isr().size()).min().orElse(0),
              entry == null ? 1 : Integer.parseInt(entry.value()),
              parts.stream()
                  .map(p -> p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id())
                  .toList()));
    }
    return out;
  }

  /**
   * Fails naming the first topic with fewer replicas in a partition, or a lower {@code
   * min.insync.replicas}, than {@code required}.
   */
  static void refuseUnderReplicated(Admin admin, Collection<String> topics, Replication required)
      throws InterruptedException {
    for (TopicReplicas t : describe(admin, topics)) {
      if (t.replicas() < required.replicas() || t.minInsync() < required.minInsync()) {
        throw new IllegalStateException(
            "topic "
                + t.name()
                + " has replication "
                + t.replicas()
                + " and min.insync.replicas "
                + t.minInsync()
                + ", fewer than the "
                + required
                + " this service requires on this cluster: raise them (kafka-reassign-partitions.sh,"
                + " kafka-configs.sh) or delete the topic while the fleet is stopped, then start"
                + " again");
      }
    }
    LOG.debug("topics {} have {} or more", topics, required);
  }
}
