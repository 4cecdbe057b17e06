package io.scorestream.worker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic from its beginning, grouping parsed records by key, until the test has what
 * it waits for.
 */
final class TopicRecords {
  private TopicRecords() {}

  /** Parses one record value. */
  interface Parser<T> {
    T parse(byte[] bytes) throws Exception;
  }

  /**
   * The records seen, by key, once {@code done} holds for them; fails when {@code timeout} passes
   * first.
   */
  static <T> Map<String, List<T>> readUntil(
      String bootstrapServers,
      String topic,
      Parser<T> parser,
      Duration timeout,
      Predicate<Map<String, List<T>>> done)
      throws Exception {
    Map<String, List<T>> byKey = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                64 << 20),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(byKey)) {
        assertTrue(
            System.nanoTime() < deadline,
            "records did not arrive in time on " + topic + ": " + byKey.keySet());
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(parser.parse(r.value()));
        }
      }
    }
    return byKey;
  }
}
