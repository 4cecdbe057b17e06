package io.scorestream.jobs.cli;

import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command-line options of every command that talks to Kafka: where the cluster is, how to
 * connect to it, how many brokers it should have, and what its topics are called.
 */
public final class KafkaOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description = "Kafka cluster (required)")
  String bootstrapServers;

  /** The cluster's address as given, or null. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description =
          "Kafka client properties (TLS, SASL ...) for every connection, as Kafka's tools take them")
  Path kafkaConfig;

  @Option(
      names = "--expect-brokers",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "the brokers the cluster is meant to have: wait for them at start (5 minutes at most),"
              + " make topics with replication 3 and min.insync.replicas 2 from 3 up, and refuse"
              + " to start on a topic with fewer (default: 0, as many as are up)")
  int expectBrokers;

  @Option(
      names = "--topic-prefix",
      defaultValue = "scorestream",
      paramLabel = "P",
      description = "topic names start with this (default: ${DEFAULT-VALUE})")
  String topicPrefix;

  public TopicNames topics() {
    return TopicNames.withPrefix(topicPrefix);
  }

  /**
   * The cluster with the client settings of {@code --kafka-config}; a file it cannot use is a bad
   * argument.
   */
  public KafkaClients clients() {
    if (bootstrapServers == null) {
      throw new ParameterException(
          command.commandLine(), "Missing required option: '--bootstrap-servers=HOST:PORT'");
    }
    if (expectBrokers < 0) {
      throw new ParameterException(
          command.commandLine(), "--expect-brokers must not be negative, got " + expectBrokers);
    }
    try {
      return KafkaClients.of(bootstrapServers, kafkaConfig).expecting(expectBrokers);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), e.getMessage());
    }
  }
}
