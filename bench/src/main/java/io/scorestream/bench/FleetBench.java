package io.scorestream.bench;

import io.scorestream.broker.EmbeddedKafka;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.jobs.kafka.FleetTopics;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.worker.Worker;
import io.scorestream.worker.WorkerSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream bench fleet}: on an embedded broker with one worker and the 2-D MLP score
 * network, (1) continuous batching: N concurrent single-sample 1000-step PC jobs versus the same
 * jobs one at a time; (2) transport ({@link TransportBench}): one 1000-step job through Kafka
 * versus the same job run by core directly.
 */
@Command(
    name = "fleet",
    mixinStandardHelpOptions = true,
    description = "Continuous batching and transport overhead through the embedded broker.")
final class FleetBench implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TransportOptions transport;

  @Option(names = "--jobs", defaultValue = "64")
  int jobs;

  @Option(
      names = "--repeat",
      defaultValue = "1",
      paramLabel = "N",
      description = "time both phases N times, alternating, and print the median speed-up")
  int repeat;

  @Option(
      names = "--hidden",
      defaultValue = "256",
      paramLabel = "H",
      description = "width of the MLP's three hidden layers")
  int hidden;

  @Option(
      names = "--only",
      paramLabel = "batching|transport",
      description = "run one of the two measurements")
  String only;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = Files.createTempDirectory("scorestream-bench");
    byte[] onnx = BenchModels.mlp(BenchModels.mlpInfo("mlp"), hidden);
    Path models = BenchModels.write(dir, onnx);
    TopicNames names = TopicNames.defaults();
    try (EmbeddedKafka kafka =
        EmbeddedKafka.start(dir.resolve("kafka"), Topics.MAX_MESSAGE_BYTES)) {
      FleetTopics.ensureAll(KafkaClients.of(kafka.bootstrapServers()), names);
      List<Double> speedUps = new ArrayList<>();
      for (int r = 0; r < repeat && !"transport".equals(only); r++) {
        // the same jobs, all submitted at once: a worker that admits one sample at a time, then a
        // batching one
        double oneAtATime = phase(kafka, names, models, 1, "one at a time", out);
        double concurrent = phase(kafka, names, models, 8192, "continuous batching", out);
        out.printf(
            "| %d single-sample %d-step PC jobs | one at a time %.2f s | continuous batching %.2f s "
                + "| speed-up %.1fx |%n",
            jobs, transport.steps, oneAtATime, concurrent, oneAtATime / concurrent);
        double ratio = callCostRatio(onnx);
        out.printf(
            "| ceiling: a batch-%d call of the bare model costs %.1f batch-1 calls | at most %.1fx "
                + "| continuous batching reaches %.0f%% of it |%n",
            jobs, ratio, jobs / ratio, 100 * (oneAtATime / concurrent) / (jobs / ratio));
        out.flush();
        speedUps.add(oneAtATime / concurrent);
      }
      if (speedUps.size() > 1) {
        Collections.sort(speedUps);
        out.printf(
            "| %d repetitions | speed-up min %.1fx | median %.1fx | max %.1fx |%n",
            repeat, speedUps.get(0), speedUps.get(repeat / 2), speedUps.get(repeat - 1));
      }
      if (!"batching".equals(only)) {
        try (Worker batching = startWorker(kafka, names, models, 8192);
            JobClient client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names)) {
          new TransportBench(
                  out,
                  client,
                  batching,
                  onnx,
                  transport.steps,
                  transport.threads,
                  transport.previews,
                  transport.threadCpu)
              .run(transport.repeat);
        }
      }
    }
    return 0;
  }

  /**
   * Starts a worker with this limit, warms it up, times the jobs, prints where its time went, stops
   * it.
   */
  private double phase(
      EmbeddedKafka kafka,
      TopicNames names,
      Path models,
      int maxActiveSamples,
      String name,
      PrintWriter out)
      throws Exception {
    try (Worker worker = startWorker(kafka, names, models, maxActiveSamples);
        JobClient client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names)) {
      run(kafka, names, client, "warm-up", maxActiveSamples == 1 ? 1 : jobs);
      Phase before = Phase.of(worker);
      double seconds = run(kafka, names, client, name.replace(' ', '-'), jobs);
      out.println(Phase.of(worker).since(before, name, seconds));
      return seconds;
    }
  }

  private Worker startWorker(
      EmbeddedKafka kafka, TopicNames names, Path models, int maxActiveSamples)
      throws InterruptedException {
    Worker worker =
        Worker.start(
            WorkerSettings.builder(kafka.bootstrapServers(), "bench-" + maxActiveSamples)
                .topics(names)
                .modelsDir(models)
                .maxActiveSamples(maxActiveSamples)
                .intraOpThreads(transport.threads)
                .build());
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (worker.assignedJobPartitions() < Topics.JOB_PARTITIONS && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return worker;
  }

  /**
   * Where a worker's time went: its model calls, the rows they held, and the seconds spent inside
   * them.
   */
  private record Phase(long calls, long rows, double callSeconds) {
    static Phase of(Worker worker) {
      var totals = worker.scheduler().totals();
      return new Phase(totals.modelCalls(), totals.rowsEvaluated(), totals.modelNanos() / 1e9);
    }

    String since(Phase before, String name, double wall) {
      long n = calls - before.calls;
      double inCalls = callSeconds - before.callSeconds;
      return String.format(
          "|   %s: %d model calls, %.1f rows each, %.3f ms each | %.2f s in model calls "
              + "| %.2f s elsewhere |",
          name, n, (double) (rows - before.rows) / n, 1e3 * inCalls / n, inCalls, wall - inCalls);
    }
  }

  /**
   * What batching can gain at most: the time of one bare ONNX Runtime call of {@code jobs} rows
   * over that of one row, best of five rounds after a warm-up. A speed-up of jobs / ratio would
   * mean no cost but model calls.
   */
  private double callCostRatio(byte[] onnx) {
    try (ScoreModel model = new OrtRuntime(transport.threads).load(onnx, "mlp")) {
      double one = Double.MAX_VALUE;
      double many = Double.MAX_VALUE;
      for (int round = 0; round < 6; round++) {
        double a = secondsPerCall(model, 1, 2000);
        double b = secondsPerCall(model, jobs, 200);
        if (round > 0) {
          one = Math.min(one, a);
          many = Math.min(many, b);
        }
      }
      return many / one;
    }
  }

  private static double secondsPerCall(ScoreModel model, int rows, int calls) {
    float[] x = new float[rows * 2];
    float[] t = new float[rows];
    float[] out = new float[rows * 2];
    Arrays.fill(t, 0.5f);
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      model.score(x, t, null, rows, out);
    }
    return (System.nanoTime() - start) / 1e9 / calls;
  }

  private GenerateRequest request(String id) {
    return GenerateRequest.newBuilder()
        .setJobId(id)
        .setTenant("bench")
        .setModelName("mlp")
        .setNumSamples(1)
        .setSeed(id.hashCode())
        .setSampler(SamplerSettings.newBuilder().setSteps(transport.steps))
        .build();
  }

  /** Submits {@code count} jobs at once and returns the seconds until the last one completes. */
  private double run(
      EmbeddedKafka kafka, TopicNames names, JobClient client, String prefix, int count)
      throws Exception {
    String tag = prefix + "-" + System.nanoTime();
    Set<String> pending = new HashSet<>();
    for (int i = 0; i < count; i++) {
      pending.add(tag + "-" + i);
    }
    try (KafkaConsumer<String, byte[]> events =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                64 << 20), // completed events carry samples
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          events.partitionsFor(names.jobEvents()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      events.assign(partitions);
      events.seekToEnd(partitions);
      partitions.forEach(events::position); // fix the start before submitting
      long start = System.nanoTime();
      client.submitAll(pending.stream().map(this::request).toList());
      long deadline = start + Duration.ofMinutes(10).toNanos();
      while (!pending.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(pending.size() + " benchmark jobs did not complete");
        }
        for (ConsumerRecord<String, byte[]> r : events.poll(Duration.ofMillis(20))) {
          if (pending.contains(r.key())) {
            JobEvent e = JobEvent.parseFrom(r.value());
            if (e.hasFailed() || e.hasCancelled()) {
              throw new IllegalStateException(
                  "benchmark job " + r.key() + " did not complete: " + e);
            }
            if (e.hasCompleted()) {
              pending.remove(r.key());
            }
          }
        }
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }
}
