package io.scorestream.bench;

import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.jobs.JobCodec;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.PreviewSettings;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.worker.Worker;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The transport overhead of one job: a 64-sample PC job (with previews every K steps), through the
 * embedded broker and a warm worker, against the same job run by {@code core} directly on a session
 * of the same model, in the same run. The target (issue 8): at most 10% + 100 ms more. Each run is
 * broken down by the events' times: submit to accepted (pick-up), accepted to started, started to
 * completed (the sampling, with its events), completed to the client holding the result.
 */
final class TransportBench {
  private final PrintWriter out;
  private final JobClient client;
  private final Worker worker;
  private final byte[] onnx;
  private final int steps;
  private final int threads;
  private long directModelNanos;
  private final int previewEvery;

  /** Print the CPU time of this JVM's threads, by name, over each run through Kafka. */
  private final boolean threadCpu;

  /**
   * @param previewEvery previews every this many steps (0: none, bare progress four times a second)
   */
  TransportBench(
      PrintWriter out,
      JobClient client,
      Worker worker,
      byte[] onnx,
      int steps,
      int threads,
      int previewEvery,
      boolean threadCpu) {
    this.threadCpu = threadCpu;
    this.previewEvery = previewEvery;
    this.out = out;
    this.client = client;
    this.worker = worker;
    this.onnx = onnx;
    this.steps = steps;
    this.threads = threads;
  }

  /**
   * One warm-up, then {@code repeats} runs, each direct then through Kafka; prints every run and
   * the medians.
   */
  void run(int repeats) throws Exception {
    out.println(
        "| run | core directly (s) | through Kafka (s) | overhead (s) | target 10% + 0.1 s | pick-up (ms) "
            + "| to start (ms) | sampling (s) | result to client (ms) | model calls: direct (s) | worker (s) |");
    out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    List<Double> overheads = new ArrayList<>();
    List<Double> allowed = new ArrayList<>();
    try (ScoreModel model = new OrtRuntime(threads).load(onnx, "mlp")) {
      for (int r = 0; r <= repeats; r++) {
        long modelBefore = directModelNanos;
        double direct = direct(model);
        double directModel = (directModelNanos - modelBefore) / 1e9;
        Run via = viaKafka();
        double overhead = via.total - direct;
        if (r == 0) {
          continue; // warm-up: JIT, sessions and connections
        }
        overheads.add(overhead);
        allowed.add(0.1 * direct + 0.1);
        out.printf(
            "| %d | %.3f | %.3f | %.3f | %s | %.1f | %.1f | %.3f | %.1f | %.3f | %.3f |%n",
            r,
            direct,
            via.total,
            overhead,
            overhead <= 0.1 * direct + 0.1 ? "met" : "missed",
            1e3 * via.pickUp,
            1e3 * via.toStart,
            via.sampling,
            1e3 * via.delivery,
            directModel,
            via.modelSeconds);
        out.flush();
      }
    }
    Collections.sort(overheads);
    Collections.sort(allowed);
    out.printf(
        "| median of %d | | | %.3f | allowed %.3f | | | | | | |%n",
        repeats, overheads.get(repeats / 2), allowed.get(repeats / 2));
    out.flush();
  }

  private GenerateRequest request() {
    String id = "transport-" + System.nanoTime();
    return GenerateRequest.newBuilder()
        .setJobId(id)
        .setTenant("bench")
        .setModelName("mlp")
        .setNumSamples(64)
        .setSeed(id.hashCode())
        .setSampler(SamplerSettings.newBuilder().setSteps(steps))
        .setPreview(PreviewSettings.newBuilder().setEverySteps(previewEvery))
        .build();
  }

  private double direct(ScoreModel model) {
    long[] modelNanos = new long[1];
    double seconds = runDirect(model, request(), modelNanos);
    directModelNanos += modelNanos[0];
    return seconds;
  }

  /**
   * Runs a request's sampling with {@code core} alone, as a worker would at batch 1024; its wall
   * seconds.
   */
  static double runDirect(ScoreModel model, GenerateRequest request) {
    return runDirect(model, request, new long[1]);
  }

  private static double runDirect(ScoreModel model, GenerateRequest request, long[] modelNanos) {
    SamplingProcess p =
        Samplers.start(
            JobCodec.samplerSpec(request.getSampler()),
            model.info(),
            request.getNumSamples(),
            request.getSeed(),
            null);
    long start = System.nanoTime();
    BatchEvaluator evaluator = new BatchEvaluator(model, 1024);
    evaluator.runToCompletion(List.of(p), () -> {});
    modelNanos[0] = evaluator.modelNanos();
    return (System.nanoTime() - start) / 1e9;
  }

  private record Run(
      double total,
      double pickUp,
      double toStart,
      double sampling,
      double delivery,
      double modelSeconds) {}

  private Run viaKafka() throws Exception {
    GenerateRequest request = request();
    ThreadCpu cpu = new ThreadCpu();
    long modelNanos = worker.scheduler().totals().modelNanos();
    Instant submitted = Instant.now();
    long start = System.nanoTime();
    client.submit(request);
    Instant[] accepted = new Instant[1];
    Instant[] started = new Instant[1];
    JobEvent end =
        client.follow(
            request.getJobId(),
            RequestDigest.of(request),
            submitted.minusSeconds(1),
            Duration.ofMinutes(10),
            e -> {
              if (e.hasAccepted()) {
                accepted[0] = time(e);
              } else if (e.hasStarted()) {
                started[0] = time(e);
              }
            });
    double total = (System.nanoTime() - start) / 1e9;
    Instant received = Instant.now();
    if (!end.hasCompleted()) {
      throw new IllegalStateException("the transport job did not complete: " + end);
    }
    Instant completed = time(end);
    if (threadCpu) {
      cpu.print(out, 12);
    }
    return new Run(
        total,
        seconds(submitted, accepted[0]),
        seconds(accepted[0], started[0]),
        seconds(started[0], completed),
        seconds(completed, received),
        (worker.scheduler().totals().modelNanos() - modelNanos) / 1e9);
  }

  private static Instant time(JobEvent e) {
    return Times.instant(e.getTime());
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e9;
  }
}
