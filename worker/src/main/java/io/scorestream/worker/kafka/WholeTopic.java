package io.scorestream.worker.kafka;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** A consumer outside any group that reads every partition of one topic from its beginning. */
final class WholeTopic {
  private WholeTopic() {}

  /** Opens the consumer, assigned to all of {@code topic} and positioned at its start. */
  static KafkaConsumer<String, byte[]> reader(String bootstrapServers, String topic) {
    KafkaConsumer<String, byte[]> consumer = unassigned(bootstrapServers);
    List<TopicPartition> partitions = partitions(consumer, topic);
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  /** A consumer outside any group with these readers' settings, for a caller that assigns and seeks itself. */
  static KafkaConsumer<String, byte[]> unassigned(String bootstrapServers) {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,                           // no group, nothing to commit
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES, // records up to a whole model
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50),            // a cancel or a new state is seen within 50 ms
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Every partition of a topic. */
  static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
  }
}
