package io.scorestream.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker is a real Kafka cluster whose records and address survive a restart. */
@Tag("integration")
class EmbeddedKafkaTest {
  private static final int MAX_MESSAGE = 1 << 20;
  @TempDir Path dir;

  @Test
  void restartOnTheSameDataKeepsRecordsAndAddress() throws Exception {
    Path data = dir.resolve("kafka");
    String address;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(data, MAX_MESSAGE);
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      address = kafka.bootstrapServers();
      admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  kafka.bootstrapServers(),
                  ProducerConfig.ACKS_CONFIG,
                  "all"),
              new StringSerializer(),
              new StringSerializer())) {
        producer.send(new ProducerRecord<>("t", 0, "k", "kept")).get();
      }
    }
    try (EmbeddedKafka again = EmbeddedKafka.start(data, MAX_MESSAGE);
        KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, again.bootstrapServers()),
                new StringDeserializer(),
                new StringDeserializer())) {
      assertEquals(address, again.bootstrapServers(), "clients of the first start find the second");
      TopicPartition p0 = new TopicPartition("t", 0);
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
  void portInUseIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> EmbeddedKafka.start(dir.resolve("kafka"), taken.getLocalPort(), MAX_MESSAGE));
      assertTrue(
          e.getMessage().contains("port " + taken.getLocalPort() + " is in use"), e.getMessage());
    }
  }

  @Test
  void unwritableDataDirectoryIsNamed() throws Exception {
    Path file = dir.resolve("not-a-directory");
    Files.writeString(file, "x", StandardCharsets.UTF_8);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> EmbeddedKafka.start(file, MAX_MESSAGE));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }
}
