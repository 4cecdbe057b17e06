package io.scorestream.jobs.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How every ScoreStream service reaches the cluster: the bootstrap servers and the connection
 * settings a deployment adds (TLS, SASL, client DNS lookup ...), read from a Kafka client
 * properties file as Kafka's own tools take with {@code --command-config}. Each client is built
 * here from those settings and its own, which win: a properties file sets how to connect, the
 * services set how they use Kafka.
 */
public record KafkaClients(
    String bootstrapServers, Map<String, String> connection, int expectedBrokers) {

  /**
   * @param expectedBrokers the brokers the cluster is meant to have, which services wait for at
   *     start and replicate topics by ({@link Replication#forBrokers}); 0 for whatever the cluster
   *     has when a topic is made (dev, tests)
   */
  public KafkaClients {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("no Kafka bootstrap servers given");
    }
    if (expectedBrokers < 0) {
      throw new IllegalArgumentException("expected brokers must not be negative");
    }
    connection = Map.copyOf(connection);
  }

  /** A plaintext cluster at these servers. */
  public static KafkaClients of(String bootstrapServers) {
    return new KafkaClients(bootstrapServers, Map.of(), 0);
  }

  /** This cluster, meant to have {@code brokers} brokers (0: as many as it has). */
  public KafkaClients expecting(int brokers) {
    return new KafkaClients(bootstrapServers, connection, brokers);
  }

  /**
   * A cluster at these servers with the client settings of a properties file (null: none).
   *
   * @throws IllegalArgumentException naming the file and why it cannot be used
   */
  public static KafkaClients of(String bootstrapServers, Path propertiesFile) {
    if (propertiesFile == null) {
      return of(bootstrapServers);
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(propertiesFile)) {
      p.load(in);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot read the Kafka client properties "
              + propertiesFile
              + ": "
              + (e.getMessage() == null ? e.toString() : e.getMessage()),
          e);
    }
    if (p.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(
          "the Kafka client properties "
              + propertiesFile
              + " set bootstrap.servers;"
              + " give the servers with --bootstrap-servers instead");
    }
    Map<String, String> settings = new HashMap<>();
    p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k)));
    return new KafkaClients(bootstrapServers, settings, 0);
  }

  /** The full configuration of a client: the connection settings, then the client's own. */
  public Map<String, Object> config(Map<String, ?> own) {
    Map<String, Object> all = new HashMap<>(connection);
    all.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    all.putAll(own);
    return all;
  }

  /** A consumer of string keys and byte values. */
  public KafkaConsumer<String, byte[]> consumer(Map<String, ?> own) {
    return new KafkaConsumer<>(config(own), new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** A producer of string keys and byte values. */
  public KafkaProducer<String, byte[]> producer(Map<String, ?> own) {
    return new KafkaProducer<>(config(own), new StringSerializer(), new ByteArraySerializer());
  }

  /** An admin client. */
  public Admin admin(Map<String, ?> own) {
    return Admin.create(config(own));
  }
}
