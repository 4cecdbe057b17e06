package io.scorestream.trainer.data;

import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.proto.v1.DataRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A dataset's topic as its readers see it: one partition whose first record fixes the dataset's
 * shape.
 */
public final class DataTopic {
  private DataTopic() {}

  /**
   * The dataset's first record, waiting up to {@code wait} for one to be there.
   *
   * @throws IllegalStateException when the topic starts with a record that is no DataRecord
   */
  public static Optional<DataRecord> first(KafkaClients kafka, String topic, Duration wait) {
    try (KafkaConsumer<String, byte[]> c = kafka.consumer(Map.of())) {
      TopicPartition p = new TopicPartition(topic, 0);
      c.assign(List.of(p));
      c.seekToBeginning(List.of(p));
      long deadline = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          try {
            if (r.value() != null) {
              return Optional.of(DataRecord.parseFrom(r.value()));
            }
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            // refused below
          }
          throw new IllegalStateException(topic + " starts with a record that is no DataRecord");
        }
      }
      return Optional.empty();
    }
  }
}
