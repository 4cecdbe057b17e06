package io.scorestream.bench;

import io.scorestream.broker.EmbeddedKafka;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.gateway.Gateway;
import io.scorestream.gateway.auth.Tenant;
import io.scorestream.gateway.auth.Tenants;
import io.scorestream.gateway.client.GatewayJobs;
import io.scorestream.jobs.kafka.FleetTopics;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.PreviewSettings;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.worker.Worker;
import io.scorestream.worker.WorkerSettings;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream bench gateway}: the gateway in front of an embedded broker and one worker
 * serving the 2-D MLP, all in this JVM. (1) transport: one 1000-step job of 64 samples through the
 * gateway (POST, its event stream, the result read back as .npy) against the same job run by {@code
 * core} directly, alternating; (2) fan-out ({@link FanOutBench}): hundreds of Server-Sent Event
 * clients following jobs, the delay from each event's creation to a client reading it, and the
 * gateway's memory; (3) submissions ({@link SubmissionBench}): jobs accepted per second through
 * {@code POST /v1/jobs}.
 */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description = "Transport overhead, SSE fan-out and submissions through the gateway (issue 9).")
final class GatewayBench implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TransportOptions transport;

  @Option(
      names = "--only",
      paramLabel = "transport|fanout|submit",
      description = "run one of the measurements")
  String only;

  @Option(
      names = "--clients",
      defaultValue = "500",
      description = "fan-out: concurrent SSE clients")
  int sseClients;

  @Option(
      names = "--fanout-jobs",
      defaultValue = "50",
      description = "fan-out: jobs the clients follow")
  int fanJobs;

  @Option(names = "--submit-seconds", defaultValue = "10", description = "submissions: how long")
  int submitSeconds;

  @Option(
      names = "--submit-concurrency",
      defaultValue = "32",
      description = "submissions: POSTs in flight")
  int submitConcurrency;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = Files.createTempDirectory("scorestream-bench-gateway");
    byte[] onnx = BenchModels.mlp(BenchModels.mlpInfo("mlp"), 256);
    Path models = BenchModels.write(dir, onnx);
    TopicNames names = TopicNames.defaults();
    String key = Tenants.newKey(new SecureRandom());
    Tenant tenant = new Tenant("bench", 1e6, 1_000_000, 1_000_000, "");
    try (EmbeddedKafka kafka =
        EmbeddedKafka.start(dir.resolve("kafka"), Topics.MAX_MESSAGE_BYTES)) {
      KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
      FleetTopics.ensureAll(clients, names);
      try (Worker worker =
              Worker.start(
                  WorkerSettings.builder(kafka.bootstrapServers(), "bench-gateway")
                      .topics(names)
                      .modelsDir(models)
                      .intraOpThreads(transport.threads)
                      .build());
          Gateway gateway =
              Gateway.start(
                  Gateway.Settings.of(
                      clients, names, Tenants.single(tenant, key), "127.0.0.1", 0))) {
        GatewayJobs api = new GatewayJobs(URI.create(gateway.url()), key);
        awaitReady(api);
        if (only == null || only.equals("transport")) {
          transport(out, api, onnx);
        }
        if (only == null || only.equals("fanout")) {
          new FanOutBench(out, gateway, key, transport.steps).run(sseClients, fanJobs);
        }
        if (only == null || only.equals("submit")) {
          new SubmissionBench(out, gateway, key)
              .run(submitConcurrency, Duration.ofSeconds(submitSeconds), transport.threadCpu);
        }
      }
    }
    return 0;
  }

  /** Waits until the gateway is ready and knows the worker's model. */
  private static void awaitReady(GatewayJobs api) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (api.dataShape("mlp").isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the gateway did not see the worker's model within 120 s");
      }
      Thread.sleep(200);
    }
  }

  private GenerateRequest request(long seed) {
    return GenerateRequest.newBuilder()
        .setModelName("mlp")
        .setNumSamples(64)
        .setSeed(seed)
        .setSampler(SamplerSettings.newBuilder().setSteps(transport.steps))
        .setPreview(PreviewSettings.newBuilder().setEverySteps(transport.previews))
        .build();
  }

  /**
   * One warm-up, then runs alternating core directly and through the gateway; every run and the
   * medians.
   */
  private void transport(PrintWriter out, GatewayJobs api, byte[] onnx) throws Exception {
    out.println(
        "| run | core directly (s) | through the gateway (s) | overhead (s) | target 10% + 0.15 s "
            + "| events streamed |");
    out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
    List<Double> overheads = new ArrayList<>();
    List<Double> allowed = new ArrayList<>();
    try (ScoreModel model = new OrtRuntime(transport.threads).load(onnx, "mlp")) {
      for (int r = 0; r <= transport.repeat; r++) {
        GenerateRequest request = request(1000L + r);
        double direct = TransportBench.runDirect(model, request);
        ThreadCpu cpu = new ThreadCpu();
        long start = System.nanoTime();
        String id = api.submit(request, null).getString("jobId");
        int[] events = new int[1];
        JobEvent end = api.follow(id, Duration.ofMinutes(10), e -> events[0]++, png -> {});
        double via = (System.nanoTime() - start) / 1e9;
        if (!end.hasCompleted() || end.getCompleted().getSamples().getShape(0) != 64) {
          throw new IllegalStateException(
              "the transport job did not complete with its samples: " + end);
        }
        if (r == 0) {
          continue; // warm-up: JIT, sessions, connections
        }
        double overhead = via - direct;
        double allowance = 0.1 * direct + 0.15;
        overheads.add(overhead);
        allowed.add(allowance);
        out.printf(
            "| %d | %.3f | %.3f | %.3f | %s | %d |%n",
            r, direct, via, overhead, overhead <= allowance ? "met" : "missed", events[0] + 1);
        if (transport.threadCpu) {
          cpu.print(out, 14);
        }
        out.flush();
      }
    }
    Collections.sort(overheads);
    Collections.sort(allowed);
    out.printf(
        "| median of %d | | | %.3f | allowed %.3f | |%n",
        transport.repeat, overheads.get(transport.repeat / 2), allowed.get(transport.repeat / 2));
    out.flush();
  }
}
