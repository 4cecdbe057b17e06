package io.scorestream.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker is a real Kafka cluster: topics with their configs, records that survive a restart. */
class EmbeddedKafkaTest {
  @TempDir
  Path dir;

  private static Admin admin(EmbeddedKafka kafka) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  @Test
  void createsTopicsWithPartitionsAndCompactionAndKeepsRecordsAcrossARestart() throws Exception {
    TopicNames names = TopicNames.defaults();
    Path data = dir.resolve("kafka");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(data); Admin admin = admin(kafka)) {
      assertEquals(7, Topics.ensure(admin, Topics.all(names, (short) 1)).size());
      assertEquals(Set.of(), Topics.ensure(admin, Topics.all(names, (short) 1)), "a second ensure creates nothing");
      TopicDescription jobs = admin.describeTopics(List.of(names.jobs())).allTopicNames().get().get(names.jobs());
      assertEquals(Topics.JOB_PARTITIONS, jobs.partitions().size());
      ConfigResource state = new ConfigResource(ConfigResource.Type.TOPIC, names.jobState());
      var stateConfig = admin.describeConfigs(List.of(state)).all().get().get(state);
      assertEquals("compact,delete", stateConfig.get("cleanup.policy").value(), "one state per job, for a week");
      assertEquals(Long.toString(7L * 24 * 3600 * 1000), stateConfig.get("retention.ms").value());
      ConfigResource checkpoints = new ConfigResource(ConfigResource.Type.TOPIC, names.checkpoints());
      assertEquals("compact", admin.describeConfigs(List.of(checkpoints)).all().get().get(checkpoints)
          .get("cleanup.policy").value(), "the newest checkpoint of each model, however old");
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
          ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(names.deadLetter(), 0, "k", "kept")).get();
      }
    }
    try (EmbeddedKafka again = EmbeddedKafka.start(data);
         KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
             ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, again.bootstrapServers(),
             ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
      TopicPartition p0 = new TopicPartition(names.deadLetter(), 0);
      consumer.assign(List.of(p0));
      consumer.seekToBeginning(List.of(p0));
      ConsumerRecords<String, String> records = ConsumerRecords.empty();
      for (int i = 0; i < 30 && records.isEmpty(); i++) {
        records = consumer.poll(Duration.ofSeconds(1));
      }
      assertEquals("kept", records.iterator().next().value());
    }
  }

  @Test
  void unwritableDataDirectoryIsNamed() throws Exception {
    Path file = dir.resolve("not-a-directory");
    Files.writeString(file, "x", StandardCharsets.UTF_8);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedKafka.start(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }
}
