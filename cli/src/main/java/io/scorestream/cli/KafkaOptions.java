package io.scorestream.cli;

import io.scorestream.worker.kafka.TopicNames;
import picocli.CommandLine.Option;

/** Where the Kafka cluster is and what its topics are called. */
final class KafkaOptions {
  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka cluster")
  String bootstrapServers;

  @Option(names = "--topic-prefix", defaultValue = "scorestream", paramLabel = "P",
      description = "topic names start with this (default: ${DEFAULT-VALUE})")
  String topicPrefix;

  TopicNames topics() {
    return TopicNames.withPrefix(topicPrefix);
  }
}
