package io.scorestream.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a worker serves: its models, its limits, its ONNX Runtime settings. */
final class WorkerOptions {
  @Option(names = "--models-dir", paramLabel = "M", description = "directory of .onnx score models to serve")
  Path modelsDir;
  @Option(names = "--worker-id", paramLabel = "ID", description = "unique in the fleet (default: host and pid)")
  String workerId;
  @Option(names = "--max-batch", defaultValue = "1024", paramLabel = "B", description = "most rows per model call")
  int maxBatch;
  @Option(names = "--max-active-samples", defaultValue = "8192", paramLabel = "S",
      description = "most samples running at once; more jobs wait in priority order")
  int maxActiveSamples;
  @Option(names = "--max-samples-per-job", defaultValue = "4096", paramLabel = "S", description = "largest job accepted")
  int maxSamplesPerJob;
  @Option(names = "--threads", defaultValue = "0", paramLabel = "T", description = "intra-op threads (0: ORT's choice)")
  int threads;
  @Option(names = "--cuda", description = "use the CUDA execution provider when present") boolean cuda;

  String workerId() {
    if (workerId != null) {
      return workerId;
    }
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /** Null when the limits make sense, else what is wrong. */
  String problem() {
    if (maxBatch <= 0 || maxActiveSamples <= 0 || maxSamplesPerJob <= 0) {
      return "--max-batch, --max-active-samples and --max-samples-per-job must be positive";
    }
    if (modelsDir != null && !java.nio.file.Files.isDirectory(modelsDir)) {
      return "--models-dir " + modelsDir + " is not a directory";
    }
    return null;
  }
}
