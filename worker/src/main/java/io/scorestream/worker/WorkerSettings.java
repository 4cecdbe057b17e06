package io.scorestream.worker;

import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a worker runs; {@link #builder} gives the defaults a production worker would use.
 *
 * @param kafka the Kafka cluster and how to connect to it
 * @param topics topic names
 * @param workerId this worker's id, unique in the fleet
 * @param modelsDir directory of {@code .onnx} models to serve, or null
 * @param maxBatch most rows per model call
 * @param maxActiveSamples most samples running at once; more jobs wait
 * @param maxSamplesPerJob the largest job accepted
 * @param intraOpThreads ONNX Runtime intra-op threads, 0 for its default
 * @param cuda use CUDA when present
 * @param deliveryTimeout how long an event may take to reach Kafka, retries included, before the
 *     worker gives up and stops (its uncommitted jobs then go to other workers)
 * @param metricsHost address the Prometheus endpoint listens on: loopback unless told otherwise
 * @param metricsPort port of the Prometheus endpoint, 0 for any free one, -1 for none
 * @param keepVersions versions of each model served at once; older ones retire as newer checkpoints
 *     load
 * @param maxQueuedJobs jobs read from Kafka that may wait for room in the worker; beyond them the
 *     worker stops reading until half have started
 */
public record WorkerSettings(
    KafkaClients kafka,
    TopicNames topics,
    String workerId,
    Path modelsDir,
    int maxBatch,
    int maxActiveSamples,
    int maxSamplesPerJob,
    int intraOpThreads,
    boolean cuda,
    Duration deliveryTimeout,
    String metricsHost,
    int metricsPort,
    int keepVersions,
    int maxQueuedJobs) {

  public WorkerSettings {
    if (maxBatch <= 0 || maxActiveSamples <= 0 || maxSamplesPerJob <= 0) {
      throw new IllegalArgumentException(
          "max batch, max active samples and max samples per job must be positive");
    }
    if (deliveryTimeout.toMillis() < 1000) {
      throw new IllegalArgumentException(
          "the delivery timeout must be at least 1 s, got " + deliveryTimeout);
    }
    if (maxQueuedJobs <= 0) {
      throw new IllegalArgumentException("max queued jobs must be positive, got " + maxQueuedJobs);
    }
    if (keepVersions <= 0) {
      throw new IllegalArgumentException(
          "at least one version of each model must be kept, got " + keepVersions);
    }
    if (metricsPort < -1 || metricsPort > 65535) {
      throw new IllegalArgumentException(
          "the metrics port must be -1 (none), 0 (any) or a port, got " + metricsPort);
    }
  }

  /**
   * Settings for a worker of this id on this cluster, with default topics, limits and no metrics
   * endpoint.
   */
  public static Builder builder(String bootstrapServers, String workerId) {
    return new Builder(KafkaClients.of(bootstrapServers), workerId);
  }

  /** Settings for a worker of this id on this cluster, reached with these client settings. */
  public static Builder builder(KafkaClients kafka, String workerId) {
    return new Builder(kafka, workerId);
  }

  /** Fills in {@link WorkerSettings} field by field. */
  public static final class Builder {
    private final KafkaClients kafka;
    private final String workerId;
    private TopicNames topics = TopicNames.defaults();
    private Path modelsDir;
    private int maxBatch = 1024;
    private int maxActiveSamples = 8192;
    private int maxSamplesPerJob = 4096;
    private int intraOpThreads;
    private boolean cuda;
    private Duration deliveryTimeout = Duration.ofMinutes(2);
    private String metricsHost = "127.0.0.1";
    private int metricsPort = -1;
    private int keepVersions = 3;
    private int maxQueuedJobs = 10_000;

    private Builder(KafkaClients kafka, String workerId) {
      this.kafka = kafka;
      this.workerId = workerId;
    }

    public Builder topics(TopicNames v) {
      topics = v;
      return this;
    }

    public Builder modelsDir(Path v) {
      modelsDir = v;
      return this;
    }

    public Builder maxBatch(int v) {
      maxBatch = v;
      return this;
    }

    public Builder maxActiveSamples(int v) {
      maxActiveSamples = v;
      return this;
    }

    public Builder maxSamplesPerJob(int v) {
      maxSamplesPerJob = v;
      return this;
    }

    public Builder intraOpThreads(int v) {
      intraOpThreads = v;
      return this;
    }

    public Builder cuda(boolean v) {
      cuda = v;
      return this;
    }

    public Builder deliveryTimeout(Duration v) {
      deliveryTimeout = v;
      return this;
    }

    public Builder metricsHost(String v) {
      metricsHost = v;
      return this;
    }

    public Builder metricsPort(int v) {
      metricsPort = v;
      return this;
    }

    public Builder keepVersions(int v) {
      keepVersions = v;
      return this;
    }

    public Builder maxQueuedJobs(int v) {
      maxQueuedJobs = v;
      return this;
    }

    public WorkerSettings build() {
      return new WorkerSettings(
          kafka,
          topics,
          workerId,
          modelsDir,
          maxBatch,
          maxActiveSamples,
          maxSamplesPerJob,
          intraOpThreads,
          cuda,
          deliveryTimeout,
          metricsHost,
          metricsPort,
          keepVersions,
          maxQueuedJobs);
    }
  }
}
