package io.scorestream.core.planted;

/** A planted layering violation: the rules must catch it (see PlantedViolationsTest). */
public final class CoreUsesKafka {
  org.apache.kafka.clients.producer.ProducerRecord<String, String> record;
}
