package io.scorestream.testkit;

import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.Replication;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.jobs.kafka.WholeTopic;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A running broker as tests use it: its address, fresh topics, and raw clients. */
public final class TestKafka {
  private final String bootstrapServers;
  private final AtomicInteger prefixes = new AtomicInteger();

  /**
   * @param bootstrapServers the broker's address
   */
  public TestKafka(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The clients' connection to this broker. */
  public KafkaClients clients() {
    return KafkaClients.of(bootstrapServers);
  }

  /**
   * Topic names under a prefix no other test on this broker uses ({@code t<n>-<label>}), with every
   * ScoreStream topic created (one replica each); consumer groups named from the prefix keep apart
   * too.
   */
  public TopicNames freshNames(String label) {
    TopicNames names = TopicNames.withPrefix("t" + prefixes.incrementAndGet() + "-" + label);
    ensureTopics(names);
    return names;
  }

  /** Creates the missing ScoreStream topics under {@code names}, one replica each. */
  public void ensureTopics(TopicNames names) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Topics.ensure(admin, Topics.all(names, Replication.SINGLE));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted creating topics", e);
    }
  }

  /** The end offset of every partition of a topic now: where a reader has read all written. */
  public Map<TopicPartition, Long> endOffsets(String topic) {
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      return consumer.endOffsets(WholeTopic.partitions(consumer, topic));
    }
  }

  /**
   * A plain producer of raw bytes, for records no ScoreStream client would write (garbage,
   * tombstones, a dead worker's leftovers), up to a whole record.
   */
  public KafkaProducer<String, byte[]> rawProducer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            Topics.MAX_MESSAGE_BYTES,
            ProducerConfig.BUFFER_MEMORY_CONFIG,
            Topics.PRODUCER_BUFFER_BYTES),
        new StringSerializer(),
        new ByteArraySerializer());
  }
}
