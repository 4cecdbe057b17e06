package io.scorestream.worker.app;

import io.scorestream.core.ort.Device;
import io.scorestream.jobs.cli.DeviceConverter;
import io.scorestream.jobs.cli.MetricsOptions;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.worker.WorkerSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How a worker serves: its models, its limits, its ONNX Runtime settings. */
public final class WorkerOptions {
  @Option(
      names = "--models-dir",
      paramLabel = "M",
      description = "directory of .onnx score models to serve")
  Path modelsDir;

  @Option(
      names = "--worker-id",
      paramLabel = "ID",
      description = "unique in the fleet (default: host and pid)")
  String workerId;

  @Option(
      names = "--max-batch",
      paramLabel = "B",
      description = "most rows per model call (default: 1024 on the CPU, 4096 on a GPU)")
  Integer maxBatch;

  @Option(
      names = "--max-active-samples",
      paramLabel = "S",
      description =
          "most samples running at once; more jobs wait in priority order (default: eight maximum"
              + " batches, 8192 on the CPU, 32768 on a GPU)")
  Integer maxActiveSamples;

  @Option(
      names = "--max-samples-per-job",
      defaultValue = "4096",
      paramLabel = "S",
      description = "largest job accepted")
  int maxSamplesPerJob;

  @Option(
      names = "--threads",
      defaultValue = "0",
      paramLabel = "T",
      description = "intra-op threads (0: ORT's choice)")
  int threads;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      paramLabel = "cpu|cuda:N",
      converter = DeviceConverter.class,
      description =
          "where models run: the CPU, or CUDA device N (needs the GPU build; without CUDA the"
              + " worker says why and runs on the CPU)")
  Device device;

  @Option(
      names = "--delivery-timeout",
      defaultValue = "120",
      paramLabel = "SECONDS",
      description =
          "how long an event may take to reach Kafka before the worker gives up and stops")
  long deliveryTimeoutSeconds;

  @Mixin MetricsOptions metrics;

  @Option(
      names = "--keep-versions",
      defaultValue = "3",
      paramLabel = "K",
      description =
          "versions of each model served at once; older ones retire as new checkpoints load")
  int keepVersions;

  @Option(
      names = "--max-queued-jobs",
      defaultValue = "10000",
      paramLabel = "Q",
      description =
          "jobs waiting in the worker for room; beyond them it leaves jobs in Kafka until half have started")
  int maxQueuedJobs;

  @Option(
      names = "--drain-timeout",
      paramLabel = "SECONDS",
      description =
          "on Ctrl-C or SIGTERM, let running jobs finish for up to this long (default: 30 for worker, "
              + "0 for dev)")
  Long drainSeconds;

  public WorkerSettings settings(KafkaClients kafka, TopicNames names) {
    return WorkerSettings.builder(kafka, workerId())
        .topics(names)
        .modelsDir(modelsDir)
        .maxBatch(maxBatch == null ? 0 : maxBatch)
        .maxActiveSamples(maxActiveSamples == null ? 0 : maxActiveSamples)
        .maxSamplesPerJob(maxSamplesPerJob)
        .intraOpThreads(threads)
        .device(device)
        .deliveryTimeout(Duration.ofSeconds(deliveryTimeoutSeconds))
        .metricsHost(metrics.host())
        .metricsPort(metrics.port())
        .keepVersions(keepVersions)
        .maxQueuedJobs(maxQueuedJobs)
        .build();
  }

  /**
   * How long a requested stop lets running jobs finish: the option's value, else this command's
   * default.
   */
  public Duration drainTimeout(long defaultSeconds) {
    return Duration.ofSeconds(drainSeconds != null ? drainSeconds : defaultSeconds);
  }

  public String workerId() {
    if (workerId != null) {
      return workerId;
    }
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /** The models directory given, or null. */
  public Path modelsDir() {
    return modelsDir;
  }

  /** Serves the models in {@code dir} when no directory was given. */
  public void defaultModelsDir(Path dir) {
    if (modelsDir == null) {
      modelsDir = dir;
    }
  }

  /** Serves metrics on a free port when no port was given. */
  public void metricsOnAnyPortByDefault() {
    metrics.anyPortByDefault();
  }

  /** The address metrics listen on. */
  public String metricsHost() {
    return metrics.host();
  }

  /** Null when the limits make sense, else what is wrong. */
  public String problem() {
    if (maxBatch != null && maxBatch <= 0
        || maxActiveSamples != null && maxActiveSamples <= 0
        || maxSamplesPerJob <= 0
        || maxQueuedJobs <= 0) {
      return "--max-batch, --max-active-samples, --max-samples-per-job and --max-queued-jobs must be positive";
    }
    if (threads < 0) {
      return "--threads must be zero (ONNX Runtime's choice) or more, got " + threads;
    }
    if (drainSeconds != null && drainSeconds < 0) {
      return "--drain-timeout must be zero or more seconds, got " + drainSeconds;
    }
    if (keepVersions <= 0) {
      return "--keep-versions must be at least 1, got " + keepVersions;
    }
    if (deliveryTimeoutSeconds < 1) {
      return "--delivery-timeout must be at least 1 second, got " + deliveryTimeoutSeconds;
    }
    if (metrics.problem() != null) {
      return metrics.problem();
    }
    if (modelsDir != null && !Files.isDirectory(modelsDir)) {
      return "--models-dir " + modelsDir + " is not a directory";
    }
    return null;
  }
}
