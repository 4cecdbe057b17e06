package io.scorestream.bench;

import picocli.CommandLine.Option;

/**
 * The options {@code bench fleet} and {@code bench gateway} share: the jobs' steps, the model's
 * threads and how the transport measurement runs.
 */
final class TransportOptions {
  @Option(names = "--steps", defaultValue = "1000", description = "each job's PC steps")
  int steps;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "intra-op threads (0: ORT's choice)")
  int threads;

  @Option(
      names = "--transport-repeat",
      defaultValue = "5",
      paramLabel = "N",
      description = "transport runs, after one warm-up (default: ${DEFAULT-VALUE})")
  int repeat;

  @Option(
      names = "--transport-preview-every",
      defaultValue = "10",
      paramLabel = "K",
      description =
          "the transport job's previews every K steps (0: none; default: ${DEFAULT-VALUE})")
  int previews;

  @Option(
      names = "--thread-cpu",
      description = "the CPU time of this JVM's threads over each timed run")
  boolean threadCpu;
}
