package io.scorestream.worker.kafka;

import io.scorestream.proto.v1.Control;
import io.scorestream.worker.jobs.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every worker reads all of {@code scorestream.control} (no group) from its beginning, so a cancel reaches the
 * worker running the job, and one sent before the job arrived still applies.
 */
public final class ControlListener implements Runnable, AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final Scheduler scheduler;
  private volatile boolean closed;

  public ControlListener(String bootstrapServers, TopicNames names, Scheduler scheduler) {
    this.scheduler = scheduler;
    this.consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),              // no group, nothing to commit
        new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = consumer.partitionsFor(names.control()).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  @Override
  public void run() {
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          try {
            Control control = Control.parseFrom(record.value());
            if (control.hasCancel()) {
              scheduler.cancel(control.getJobId().isEmpty() ? record.key() : control.getJobId());
            }
          } catch (com.google.protobuf.InvalidProtocolBufferException | NullPointerException e) {
            // an unreadable control record cancels nothing
          }
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
  }
}
