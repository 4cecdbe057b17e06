package io.scorestream.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scorestream.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topics of DESIGN.md are created with their partitions, compaction and retention, once. */
@Tag("integration")
class TopicsTest {
  @TempDir Path dir;

  @Test
  void createsTopicsWithPartitionsAndCompactionOnce() throws Exception {
    TopicNames names = TopicNames.defaults();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Topics.MAX_MESSAGE_BYTES);
        Admin admin = KafkaClients.of(kafka.bootstrapServers()).admin(Map.of())) {
      assertEquals(9, Topics.ensure(admin, Topics.all(names, Replication.SINGLE)).size());
      assertEquals(
          Set.of(),
          Topics.ensure(admin, Topics.all(names, Replication.SINGLE)),
          "a second ensure creates nothing");
      TopicDescription jobs =
          admin.describeTopics(List.of(names.jobs())).allTopicNames().get().get(names.jobs());
      assertEquals(Topics.JOB_PARTITIONS, jobs.partitions().size());
      ConfigResource state = new ConfigResource(ConfigResource.Type.TOPIC, names.jobState());
      var stateConfig = admin.describeConfigs(List.of(state)).all().get().get(state);
      assertEquals(
          "compact,delete",
          stateConfig.get("cleanup.policy").value(),
          "one state per job, for a week");
      assertEquals(Long.toString(7L * 24 * 3600 * 1000), stateConfig.get("retention.ms").value());
      ConfigResource checkpoints =
          new ConfigResource(ConfigResource.Type.TOPIC, names.checkpoints());
      assertEquals(
          "compact",
          admin
              .describeConfigs(List.of(checkpoints))
              .all()
              .get()
              .get(checkpoints)
              .get("cleanup.policy")
              .value(),
          "the newest checkpoint of each model, however old");
    }
  }
}
