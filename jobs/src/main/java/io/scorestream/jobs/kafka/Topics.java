package io.scorestream.jobs.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates ScoreStream's topics with their partition counts and configs, leaving existing topics as
 * they are ({@link FleetTopics} checks those at a service's start).
 */
public final class Topics {
  /** Largest record: a whole ONNX checkpoint fits one {@code CheckpointEvent}. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  /**
   * Send buffer of every ScoreStream producer (a cap, filled only as records wait): the client
   * default of 32 MiB refuses any record above it outright, so it must hold two records of the
   * largest size, a completed event and the state that carries the same result.
   */
  public static final long PRODUCER_BUFFER_BYTES = 2L * MAX_MESSAGE_BYTES + (16 << 20);

  /**
   * Partitions of the jobs, job-events and job-state topics: the most workers that share the jobs
   * at once (a consumer group gives each partition to one member).
   */
  public static final int JOB_PARTITIONS = 12;

  private static final String WEEK_MS = Long.toString(7L * 24 * 3600 * 1000);
  private static final String MONTH_MS = Long.toString(30L * 24 * 3600 * 1000);
  private static final String DAY_MS = Long.toString(24L * 3600 * 1000);

  private Topics() {}

  /** The topics of DESIGN.md, replicated as {@code replication} says. */
  public static List<NewTopic> all(TopicNames names, Replication replication) {
    List<NewTopic> topics = new ArrayList<>();
    // jobs and their events share keys and partition counts, so a job's records stay in order on
    // one partition
    topics.add(
        new NewTopic(names.jobs(), JOB_PARTITIONS, replication.replicas())
            .configs(
                replication.withMinInsync(
                    Map.of(
                        TopicConfig.RETENTION_MS_CONFIG,
                        WEEK_MS)))); // requests outlive slow queues
    topics.add(
        new NewTopic(names.jobEvents(), JOB_PARTITIONS, replication.replicas())
            .configs(
                replication.withMinInsync(
                    Map.of(
                        TopicConfig.RETENTION_MS_CONFIG,
                        WEEK_MS, // SSE resume reads back through them
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        Integer.toString(MAX_MESSAGE_BYTES))))); // completed events carry samples
    topics.add(
        new NewTopic(names.jobState(), JOB_PARTITIONS, replication.replicas())
            .configs(
                replication.withMinInsync(
                    Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT
                            + ","
                            + TopicConfig.CLEANUP_POLICY_DELETE, // latest state per job rebuilds
                        TopicConfig.RETENTION_MS_CONFIG,
                        WEEK_MS, // views; gone with the job's records
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        Integer.toString(MAX_MESSAGE_BYTES)))));
    topics.add(
        new NewTopic(names.control(), 3, replication.replicas())
            .configs(
                replication.withMinInsync(
                    Map.of(
                        TopicConfig.RETENTION_MS_CONFIG,
                        DAY_MS)))); // a cancel matters while its job can run
    topics.add(
        new NewTopic(names.checkpoints(), 3, replication.replicas())
            .configs(
                replication.withMinInsync(
                    Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT, // the newest checkpoint per model
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        Integer.toString(MAX_MESSAGE_BYTES)))));
    topics.add(
        new NewTopic(names.workers(), 3, replication.replicas())
            .configs(
                replication.withMinInsync(
                    Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT
                            + ","
                            + TopicConfig
                                .CLEANUP_POLICY_DELETE, // last beat per worker, gone workers age
                        // out
                        TopicConfig.RETENTION_MS_CONFIG,
                        DAY_MS))));
    topics.add(
        new NewTopic(names.deadLetter(), 3, replication.replicas())
            .configs(
                replication.withMinInsync(
                    Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, WEEK_MS)))); // time for a person to look
    topics.add(
        new NewTopic(names.webhooks(), 6, replication.replicas())
            .configs(
                replication.withMinInsync(
                    Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT, // pending deliveries until tombstoned
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        Integer.toString(1 << 20))))); // a payload without samples
    topics.add(
        new NewTopic(names.training(), 3, replication.replicas())
            .configs(
                replication.withMinInsync(
                    Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, MONTH_MS)))); // a month of training curves
    return topics;
  }

  /** The pool topic of one model, configured like the jobs topic it takes jobs from. */
  public static NewTopic pool(TopicNames names, String model, Replication replication) {
    return new NewTopic(names.pool(model), JOB_PARTITIONS, replication.replicas())
        .configs(
            replication.withMinInsync(
                Map.of(
                    TopicConfig.RETENTION_MS_CONFIG,
                    WEEK_MS, // as long as the jobs topic keeps them
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    Integer.toString(MAX_MESSAGE_BYTES)))); // any request it forwards
  }

  /**
   * The replication of topics made now on the cluster {@code kafka} names: what it expects ({@link
   * KafkaClients#expectedBrokers()}), else what it has.
   */
  public static Replication replication(Admin admin, KafkaClients kafka)
      throws InterruptedException {
    if (kafka.expectedBrokers() > 0) {
      return Replication.forBrokers(kafka.expectedBrokers());
    }
    try {
      return Replication.forBrokers(admin.describeCluster().nodes().get().size());
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot describe the Kafka cluster: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /** Creates whichever of {@code topics} do not exist yet and returns the names it created. */
  public static Set<String> ensure(Admin admin, List<NewTopic> topics) throws InterruptedException {
    Set<String> existing;
    try {
      existing = admin.listTopics().names().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot list Kafka topics: " + e.getCause().getMessage(), e.getCause());
    }
    List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
    Set<String> created = new TreeSet<>();
    admin
        .createTopics(missing)
        .values()
        .forEach(
            (name, future) -> {
              try {
                future.get();
                created.add(name);
              } catch (ExecutionException e) {
                if (!(e.getCause()
                    instanceof
                    TopicExistsException)) { // another process created it meanwhile: fine
                  throw new IllegalStateException(
                      "cannot create topic " + name + ": " + e.getCause().getMessage(), e);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + name, e);
              }
            });
    awaitLeaders(admin, created);
    return created;
  }

  /**
   * Waits until every partition of these new topics has a leader (30 s at most): a topic exists
   * before its partitions can take records, and the first sends to one that cannot yet are retried
   * by producers, which is where an idempotent producer's batches were seen to fall out of
   * sequence.
   */
  private static void awaitLeaders(Admin admin, Set<String> topics) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!topics.isEmpty()) {
      try {
        boolean ready =
            admin.describeTopics(topics).allTopicNames().get().values().stream()
                .allMatch(
                    t ->
                        t.partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        if (ready) {
          return;
        }
      } catch (ExecutionException e) {
        // not visible yet to the broker that answered: ask again
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the new topics " + topics + " have no leaders after 30 s");
      }
      Thread.sleep(50);
    }
  }
}
