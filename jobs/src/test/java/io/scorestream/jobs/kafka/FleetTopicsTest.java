package io.scorestream.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service's start on a cluster: it waits for the brokers it expects, replicates new topics for
 * that cluster, and refuses topics that keep fewer copies than it requires.
 */
@Tag("integration")
class FleetTopicsTest {
  @TempDir static Path dir;
  private static EmbeddedKafka kafka;
  private static Admin admin;

  @BeforeAll
  static void broker() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), Topics.MAX_MESSAGE_BYTES);
    admin = KafkaClients.of(kafka.bootstrapServers()).admin(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    admin.close();
    kafka.close();
  }

  @Test
  void onOneBrokerTopicsGetOneCopyAndOneInSync() throws Exception {
    TopicNames names = TopicNames.withPrefix("single");
    FleetTopics.ensureAll(KafkaClients.of(kafka.bootstrapServers()), names);
    ConfigResource jobs = new ConfigResource(ConfigResource.Type.TOPIC, names.jobs());
    assertEquals(
        "1",
        admin
            .describeConfigs(List.of(jobs))
            .all()
            .get()
            .get(jobs)
            .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)
            .value());
    // a second service's start finds them as they should be
    FleetTopics.ensureAll(KafkaClients.of(kafka.bootstrapServers()), names);
  }

  @Test
  void aServiceExpectingMoreBrokersWaitsThenSaysHowManyItFound() {
    KafkaClients expectingThree = KafkaClients.of(kafka.bootstrapServers()).expecting(3);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                FleetTopics.ensureAll(
                    expectingThree, TopicNames.withPrefix("waiting"), Duration.ofSeconds(2)));
    assertTrue(
        e.getMessage().contains("has 1 broker(s) after 2 s, not the 3 expected (--expect-brokers)"),
        e.getMessage());
    assertTrue(
        admin.listTopics().names().toCompletionStage().toCompletableFuture().join().stream()
            .noneMatch(t -> t.startsWith("waiting.")),
        "no topic is made before the brokers are there");
  }

  @Test
  void aTopicWithFewerCopiesThanRequiredIsRefusedByName() throws Exception {
    TopicNames names = TopicNames.withPrefix("thin");
    Topics.ensure(admin, Topics.all(names, Replication.SINGLE));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                FleetTopics.refuseUnderReplicated(
                    admin, List.of(names.jobs(), names.checkpoints()), Replication.forBrokers(3)));
    assertTrue(
        e.getMessage()
            .startsWith(
                "topic thin.checkpoints has replication 1 and min.insync.replicas 1, fewer than"
                    + " the replication 3, min.insync.replicas 2 this service requires"),
        e.getMessage());
  }

  @Test
  void threeBrokersMeanThreeCopiesAndTwoInSync() {
    assertEquals(new Replication((short) 3, 2), Replication.forBrokers(3));
    assertEquals(new Replication((short) 3, 2), Replication.forBrokers(5));
    assertEquals(new Replication((short) 2, 1), Replication.forBrokers(2));
    assertEquals(Replication.SINGLE, Replication.forBrokers(1));
    assertThrows(IllegalArgumentException.class, () -> Replication.forBrokers(0));
  }
}
