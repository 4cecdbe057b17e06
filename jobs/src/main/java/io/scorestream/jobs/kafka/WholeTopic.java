package io.scorestream.jobs.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumers outside any group that read topics by partition, as the whole-topic readers and job
 * lookups do.
 */
public final class WholeTopic {
  private WholeTopic() {}

  /**
   * Opens a consumer assigned to all of {@code topic} and positioned at its start, for a reader
   * that follows the topic for as long as its service runs. Its fetches wait up to Kafka's default
   * half second for data: the broker answers a waiting fetch as soon as a record lands, so this
   * costs no latency, and an idle reader asks twice a second instead of twenty times (five readers
   * per worker, each a request the broker serves on the cores the sampling needs).
   */
  public static KafkaConsumer<String, byte[]> reader(KafkaClients kafka, String topic) {
    KafkaConsumer<String, byte[]> consumer = consumer(kafka, 500);
    List<TopicPartition> partitions = partitions(consumer, topic);
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  /**
   * A consumer outside any group, for a caller that assigns and seeks itself to look something up
   * now: its fetches wait at most 50 ms, so a lookup's first empty answer comes quickly.
   */
  public static KafkaConsumer<String, byte[]> unassigned(KafkaClients kafka) {
    return consumer(kafka, 50);
  }

  private static KafkaConsumer<String, byte[]> consumer(KafkaClients kafka, int fetchWaitMs) {
    return kafka.consumer(
        Map.of(
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false, // no group, nothing to commit
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
            Topics.MAX_MESSAGE_BYTES, // records up to a whole model
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
            fetchWaitMs)); // how long the broker may hold an empty fetch
  }

  /**
   * Closes a consumer outside any group at once: it has nothing to commit or leave, and the default
   * close waits for its fetch in flight (up to the fetch wait), which a client that has its answer
   * should not.
   */
  public static void closeNow(KafkaConsumer<?, ?> consumer) {
    consumer.close(CloseOptions.timeout(Duration.ZERO));
  }

  /** Every partition of a topic. */
  public static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    return consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition()))
        .toList();
  }
}
