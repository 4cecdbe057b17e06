package io.scorestream.testkit;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic from its beginning, in order or grouped by key, until the test has what it
 * waits for.
 */
public final class TopicRecords {
  private TopicRecords() {}

  /** Parses one record value. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(byte[] bytes) throws Exception;
  }

  /** Turns one record into what the test collects, or null to pass over it. */
  @FunctionalInterface
  public interface RecordParser<T> {
    T parse(ConsumerRecord<String, byte[]> record) throws Exception;
  }

  /**
   * The records seen, by key, once {@code done} holds for them; fails when {@code timeout} passes
   * first.
   */
  public static <T> Map<String, List<T>> readUntil(
      String bootstrapServers,
      String topic,
      Parser<T> parser,
      Duration timeout,
      Predicate<Map<String, List<T>>> done) {
    Map<String, List<T>> byKey = new HashMap<>();
    read(
        bootstrapServers,
        topic,
        timeout,
        r -> byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(parser.parse(r.value())),
        () -> done.test(byKey));
    return byKey;
  }

  /**
   * What {@code parser} made of the records, in the topic's order (of one partition), once {@code
   * done} holds for it; fails when {@code timeout} passes first.
   */
  public static <T> List<T> readInOrder(
      String bootstrapServers,
      String topic,
      RecordParser<T> parser,
      Duration timeout,
      Predicate<List<T>> done) {
    List<T> out = new ArrayList<>();
    read(
        bootstrapServers,
        topic,
        timeout,
        r -> {
          T parsed = parser.parse(r);
          if (parsed != null) out.add(parsed);
        },
        () -> done.test(out));
    return out;
  }

  /** A step that takes one record in. */
  @FunctionalInterface
  private interface Step {
    void take(ConsumerRecord<String, byte[]> record) throws Exception;
  }

  private static void read(
      String bootstrapServers, String topic, Duration timeout, Step step, Callable<Boolean> done) {
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
                  step.take(r);
                }
                return done.call();
              });
    }
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
