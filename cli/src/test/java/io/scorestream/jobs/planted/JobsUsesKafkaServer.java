package io.scorestream.jobs.planted;

/** A planted layering violation: the rules must catch it (see PlantedViolationsTest). */
public final class JobsUsesKafkaServer {
  kafka.server.KafkaConfig config;
}
