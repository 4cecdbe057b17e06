package io.scorestream.worker;

import io.scorestream.broker.EmbeddedKafka;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the worker tests set up before each scenario: a broker with the topics, and a directory of
 * models.
 */
final class TestBroker {
  private TestBroker() {}

  /** An embedded broker with its data in {@code dir/kafka} and every ScoreStream topic created. */
  static EmbeddedKafka withTopics(Path dir, TopicNames names) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), Topics.MAX_MESSAGE_BYTES);
    ensureTopics(kafka, names);
    return kafka;
  }

  /** Creates the missing ScoreStream topics, one replica each. */
  static void ensureTopics(EmbeddedKafka kafka, TopicNames names) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.ensure(admin, Topics.all(names, (short) 1));
    }
  }

  /**
   * A plain producer of raw bytes, for records no ScoreStream client would write (garbage,
   * tombstones, a dead worker's leftovers), up to a whole record.
   */
  static KafkaProducer<String, byte[]> rawProducer(EmbeddedKafka kafka) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            Topics.MAX_MESSAGE_BYTES,
            ProducerConfig.BUFFER_MEMORY_CONFIG,
            Topics.PRODUCER_BUFFER_BYTES),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /** {@code dir/models} holding one model file. */
  static Path models(Path dir, String fileName, byte[] onnx) throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    Files.write(models.resolve(fileName), onnx);
    return models;
  }
}
