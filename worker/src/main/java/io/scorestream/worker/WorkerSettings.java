package io.scorestream.worker;

import io.scorestream.core.ort.Device;
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
 * @param maxBatch most rows per model call, 0 for the default of the device the models run on
 *     ({@link #maxBatchOn})
 * @param maxActiveSamples most samples running at once, more jobs wait; 0 for the device's default
 *     ({@link #maxActiveSamplesOn})
 * @param maxSamplesPerJob the largest job accepted
 * @param intraOpThreads ONNX Runtime intra-op threads, 0 for its default
 * @param device the device to run models on; a CUDA device ONNX Runtime cannot use leaves them on
 *     the CPU
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
    Device device,
    Duration deliveryTimeout,
    String metricsHost,
    int metricsPort,
    int keepVersions,
    int maxQueuedJobs) {

  public WorkerSettings {
    if (maxBatch < 0 || maxActiveSamples < 0 || maxSamplesPerJob <= 0) {
      throw new IllegalArgumentException(
          "max batch and max active samples must be positive (or 0 for the device's default), max"
              + " samples per job positive");
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

  /** Rows per model call on the CPU unless told otherwise: past it a call gains little speed. */
  public static final int CPU_MAX_BATCH = 1024;

  /**
   * Rows per model call on a GPU unless told otherwise: large enough to keep a data-centre GPU's
   * multiprocessors busy on the small score networks served here (`bench gpu` measures it).
   */
  public static final int GPU_MAX_BATCH = 4096;

  /** Samples in flight per maximum batch: enough to fill every call of a round. */
  private static final int SAMPLES_PER_BATCH = 8;

  /** The most rows per model call on {@code on}: the one set, else the device's default. */
  public int maxBatchOn(Device on) {
    return maxBatch > 0 ? maxBatch : defaultMaxBatch(on);
  }

  /** Rows per model call on {@code on} unless told otherwise. */
  public static int defaultMaxBatch(Device on) {
    return on.isCuda() ? GPU_MAX_BATCH : CPU_MAX_BATCH;
  }

  /**
   * The most samples in flight on {@code on}: the number set, else eight maximum batches of the
   * device (8192 on the CPU, 32768 on a GPU).
   */
  public int maxActiveSamplesOn(Device on) {
    return maxActiveSamples > 0 ? maxActiveSamples : SAMPLES_PER_BATCH * maxBatchOn(on);
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
    private int maxBatch;
    private int maxActiveSamples;
    private int maxSamplesPerJob = 4096;
    private int intraOpThreads;
    private Device device = Device.CPU;
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

    public Builder device(Device v) {
      device = v;
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
          device,
          deliveryTimeout,
          metricsHost,
          metricsPort,
          keepVersions,
          maxQueuedJobs);
    }
  }
}
