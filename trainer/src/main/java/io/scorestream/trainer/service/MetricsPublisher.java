package io.scorestream.trainer.service;

import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.proto.v1.TrainingMetrics;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a trainer's curve points on {@code scorestream.training}, keyed by model name. A point that
 * cannot be written is logged and dropped: a curve with a gap is better than a trainer that stops
 * for it.
 */
final class MetricsPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsPublisher.class);

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final AtomicLong failed = new AtomicLong();
  private final Consumer<TrainingMetrics> listener;

  /**
   * @param listener hears each point as it goes out (the trainer's Prometheus metrics)
   */
  MetricsPublisher(KafkaClients kafka, TopicNames names, Consumer<TrainingMetrics> listener) {
    this.topic = names.training();
    this.listener = listener;
    this.producer =
        kafka.producer(
            Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all", // a point read once is there after a broker fails
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true, // a retried point is one point
                ProducerConfig.LINGER_MS_CONFIG,
                50)); // points come one at a time; a little batching is free
  }

  void publish(TrainingMetrics point) {
    listener.accept(point);
    producer.send(
        new ProducerRecord<>(topic, point.getModelName(), point.toByteArray()),
        (meta, e) -> {
          if (e != null && failed.incrementAndGet() <= 10) {
            LOG.warn(
                "a training curve point of step {} was not written: {}",
                point.getStep(),
                e.getMessage());
          }
        });
  }

  @Override
  public void close() {
    producer.close();
  }
}
