package io.scorestream.jobs.kafka;

/**
 * The names of ScoreStream's Kafka topics (DESIGN.md, "Kafka topics"); {@link #defaults()} are the
 * documented names, {@link #withPrefix} moves them all under another prefix so several
 * installations can share a cluster.
 */
public record TopicNames(String prefix) {

  public static TopicNames defaults() {
    return new TopicNames("scorestream");
  }

  public static TopicNames withPrefix(String prefix) {
    if (prefix.isBlank() || !prefix.matches("[A-Za-z0-9._-]{1,100}")) {
      // 100 leaves room for a model's pool, prefix.jobs.model.NAME, within Kafka's 249 characters
      throw new IllegalArgumentException(
          "topic prefix must be 1 to 100 letters, digits, '.', '_' or '-', got '" + prefix + "'");
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
   * The pool topic of one model: jobs for it that reached a worker which does not serve it are
   * routed here, and every worker that serves it reads it (docs/worker.md, "Mixed fleets").
   */
  public String pool(String model) {
    return topic("model", prefix + ".jobs.model.", model);
  }

  /** The data topic a trainer learns {@code dataset} from. */
  public String data(String dataset) {
    return topic("dataset", prefix + ".data.", dataset);
  }

  /** The longest topic name Kafka takes. */
  public static final int MAX_TOPIC_CHARS = 249;

  /**
   * The problem with a name that ends a topic's name under {@code head} (Kafka takes letters,
   * digits, '.', '_' and '-', at most 249 characters in all), or null when it can.
   */
  public static String problem(String what, String head, String name) {
    if (name.isEmpty() || !name.matches("[A-Za-z0-9._-]+")) {
      return what
          + " name '"
          + shown(name)
          + "' cannot name a Kafka topic: only letters, digits, '.', '_' and '-'";
    }
    if (head.length() + name.length() > MAX_TOPIC_CHARS) {
      return what
          + " name '"
          + shown(name)
          + "' is too long for a Kafka topic: "
          + head
          + "NAME may have at most "
          + MAX_TOPIC_CHARS
          + " characters";
    }
    return null;
  }

  private static String topic(String what, String head, String name) {
    String problem = problem(what, head, name);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return head + name;
  }

  private static String shown(String name) {
    String cut = io.scorestream.jobs.Texts.cut(name, 60, "...");
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
