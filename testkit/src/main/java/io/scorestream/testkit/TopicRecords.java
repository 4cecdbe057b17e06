package io.scorestream.testkit;

import static org.awaitility.Awaitility.await;

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
public final class TopicRecords {
  private TopicRecords() {}

  /** Parses one record value. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(byte[] bytes) throws Exception;
  }

  /**
   * The records seen, by key, once {@code done} holds for them; fails when {@code timeout} passes
   * first, naming the keys seen.
   */
  public static <T> Map<String, List<T>> readUntil(
      String bootstrapServers,
      String topic,
      Parser<T> parser,
      Duration timeout,
      Predicate<Map<String, List<T>>> done) {
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
      await("records on " + topic)
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(10))
          .pollInSameThread()
          .until(
              () -> {
                if (consumer.assignment().isEmpty() && !assignAll(consumer, topic)) {
                  return false; // the topic is being created (or deleted and created again)
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                  byKey
                      .computeIfAbsent(r.key(), k -> new ArrayList<>())
                      .add(parser.parse(r.value()));
                }
                return done.test(byKey);
              });
    }
    return byKey;
  }

  /** Assigns every partition of the topic from its start; false while it has none. */
  private static boolean assignAll(KafkaConsumer<String, byte[]> consumer, String topic) {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return !partitions.isEmpty();
  }
}
