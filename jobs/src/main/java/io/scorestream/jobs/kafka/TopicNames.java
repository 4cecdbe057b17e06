package io.scorestream.jobs.kafka;

/**
 * The names of ScoreStream's Kafka topics (DESIGN.md, "Kafka topics"); {@link #defaults()} are the documented
 * names, {@link #withPrefix} moves them all under another prefix so several installations can share a cluster.
 */
public record TopicNames(String prefix) {

  public static TopicNames defaults() {
    return new TopicNames("scorestream");
  }

  public static TopicNames withPrefix(String prefix) {
    if (prefix.isBlank() || !prefix.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("topic prefix must be letters, digits, '.', '_' or '-', got '" + prefix + "'");
    }
    return new TopicNames(prefix);
  }

  public String jobs() {
    return prefix + ".jobs";
  }

  public String jobEvents() {
    return prefix + ".job-events";
  }

  public String jobState() {
    return prefix + ".job-state";
  }

  public String control() {
    return prefix + ".control";
  }

  public String checkpoints() {
    return prefix + ".checkpoints";
  }

  public String workers() {
    return prefix + ".workers";
  }

  public String deadLetter() {
    return prefix + ".dead-letter";
  }

  /** The gateways' webhook outbox: deliveries not yet made. */
  public String webhooks() {
    return prefix + ".webhooks";
  }

  /** Training curves: loss and quality of each model in training, keyed by model name. */
  public String training() {
    return prefix + ".training";
  }

  /**
   * The pool topic of one model: jobs for it that reached a worker which does not serve it are routed here, and
   * every worker that serves it reads it (docs/worker.md, "Mixed fleets").
   */
  public String pool(String model) {
    return prefix + ".jobs.model." + model;
  }

  /** The data topic a trainer learns {@code dataset} from. */
  public String data(String dataset) {
    return prefix + ".data." + dataset;
  }
}
