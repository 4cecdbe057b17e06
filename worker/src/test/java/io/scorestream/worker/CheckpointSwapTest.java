package io.scorestream.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.onnx.OnnxGraphBuilder;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.VpSde;
import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.kafka.CheckpointPublisher;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.proto.v1.WorkerHeartbeat;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.testkit.TopicRecords;
import io.scorestream.testkit.logging.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new model version arrives on the checkpoints topic while jobs run; broken checkpoints are
 * turned away. The worker serves one version at a time here, so the old one retires while jobs
 * still run on it.
 */
@ExtendWith(SharedBroker.class)
@Tag("integration")
class CheckpointSwapTest {
  @RegisterExtension final LogCapture log = new LogCapture("io.scorestream");

  private static final GaussianMixture V1 =
      new GaussianMixture(new double[] {1}, new double[][] {{-2, 0}}, new double[] {0.3});
  private static final GaussianMixture V2 =
      new GaussianMixture(new double[] {1}, new double[][] {{3, 3}}, new double[] {0.3});
  private TopicNames names;
  private TestKafka kafka;

  @BeforeEach
  void freshTopics(TestKafka kafka) {
    this.kafka = kafka;
    names = kafka.freshNames("checkpointswap");
  }

  @TempDir Path dir;

  private static ModelInfo info(String version) {
    return new ModelInfo(
        "gmm",
        version,
        new VpSde(0.1, 20, 1),
        1e-3,
        new int[] {2},
        DataScaling.IDENTITY,
        0,
        TimeInput.TIME,
        "",
        -1);
  }

  private static GenerateRequest request(String id, int steps) {
    return GenerateRequest.newBuilder()
        .setJobId(id)
        .setTenant("t")
        .setModelName("gmm")
        .setNumSamples(4)
        .setSeed(id.hashCode())
        .setSampler(SamplerSettings.newBuilder().setSteps(steps))
        .build();
  }

  private <T> Map<String, List<T>> read(
      TestKafka kafka,
      String topic,
      TopicRecords.Parser<T> parser,
      Predicate<Map<String, List<T>>> done)
      throws Exception {
    return TopicRecords.readUntil(
        kafka.bootstrapServers(), topic, parser, Duration.ofSeconds(120), done);
  }

  private static boolean has(List<JobEvent> events, Predicate<JobEvent> p) {
    return events != null && events.stream().anyMatch(p);
  }

  @Test
  void newVersionServesJobsStartedAfterItRunningJobsKeepTheirsAndBrokenOnesAreRejected()
      throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    byte[] v1 = GaussianMixtureOnnx.build(V1, info("1"));
    byte[] v2 = GaussianMixtureOnnx.build(V2, info("2"));
    Files.write(models.resolve("gmm.onnx"), v1);
    OrtRuntime runtime = new OrtRuntime(1);
    try (Worker worker =
            Worker.start(
                WorkerSettings.builder(kafka.bootstrapServers(), "w")
                    .topics(names)
                    .modelsDir(models)
                    .maxBatch(4096)
                    .maxActiveSamples(100_000)
                    .intraOpThreads(1)
                    .keepVersions(1)
                    .build());
        JobClient client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names);
        CheckpointPublisher publisher =
            new CheckpointPublisher(KafkaClients.of(kafka.bootstrapServers()), names);
        ScoreModel ref1 = runtime.load(v1, "gmm");
        ScoreModel ref2 = runtime.load(v2, "gmm")) {
      List<GenerateRequest> early = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        early.add(request("early-" + i, 30_000));
      }
      early.forEach(client::submit);
      read(
          kafka,
          names.jobEvents(),
          JobEvent::parseFrom,
          m -> early.stream().allMatch(r -> has(m.get(r.getJobId()), JobEvent::hasStarted)));

      // under load: a model that does not load, one that returns NaN, then the real next version
      publisher.publish(new byte[] {1, 2, 3}, "gmm", "3", 0, Map.of());
      OnnxGraphBuilder g = new OnnxGraphBuilder("nan");
      String x = g.input("x", DataType.FLOAT, "N", 2);
      g.input("t", DataType.FLOAT, "N");
      g.output(g.op("Log", g.op("Neg", x)), "score", DataType.FLOAT, "N", 2);
      publisher.publish(g.build(ModelMetadata.describe(info("4"))), "gmm");
      publisher.publish(v2, "gmm");
      try {
        await("version 2 loaded")
            .atMost(Duration.ofSeconds(60))
            .until(() -> worker.models().serves("gmm", "2"));
      } catch (ConditionTimeoutException e) {
        throw new AssertionError("version 2 was not loaded: " + log, e);
      }
      Map<String, List<JobEvent>> atSwap =
          read(
              kafka,
              names.jobEvents(),
              JobEvent::parseFrom,
              m -> early.stream().allMatch(r -> has(m.get(r.getJobId()), JobEvent::hasStarted)));
      assertTrue(
          early.stream().noneMatch(r -> has(atSwap.get(r.getJobId()), JobEvent::hasCompleted)),
          "the early jobs are still running when version 2 arrives");
      List<GenerateRequest> late = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        late.add(request("late-" + i, 100));
      }
      late.forEach(client::submit);
      List<GenerateRequest> all = new ArrayList<>(early);
      all.addAll(late);
      Map<String, List<JobEvent>> events =
          read(
              kafka,
              names.jobEvents(),
              JobEvent::parseFrom,
              m -> all.stream().allMatch(r -> has(m.get(r.getJobId()), JobEvent::hasCompleted)));
      for (GenerateRequest r : all) {
        boolean isEarly = early.contains(r);
        List<JobEvent> mine = events.get(r.getJobId());
        JobEvent started = mine.stream().filter(JobEvent::hasStarted).findFirst().orElseThrow();
        assertEquals(isEarly ? "1" : "2", started.getStarted().getModelVersion(), r.getJobId());
        JobEvent done = mine.stream().filter(JobEvent::hasCompleted).findFirst().orElseThrow();
        SameSamples.assertSame(
            SameSamples.alone(isEarly ? ref1 : ref2, r),
            Tensors.floats(done.getCompleted().getSamples()),
            r.getJobId());
      }
      assertEquals(List.of("2"), worker.models().versions("gmm"), "version 1 retired");
      await("version 1's session closes once its jobs ended")
          .atMost(Duration.ofSeconds(60))
          .until(() -> worker.models().retiredOpen() == 0);
      client.submit(request("asks-for-1", 10).toBuilder().setModelVersion("1").build());
      JobEvent refused =
          read(
                  kafka,
                  names.jobEvents(),
                  JobEvent::parseFrom,
                  m -> has(m.get("asks-for-1"), JobEvent::hasFailed))
              .get("asks-for-1")
              .stream()
              .filter(JobEvent::hasFailed)
              .findFirst()
              .orElseThrow();
      assertEquals(
          "model 'gmm' version 1 is not served; only version 2 is",
          refused.getFailed().getReason());
      assertFalse(worker.models().serves("gmm", "3"));
      assertFalse(worker.models().serves("gmm", "4"));
      assertTrue(
          log.texts().stream()
              .anyMatch(l -> l.startsWith("rejected checkpoint gmm:") || l.contains("gmm:3")),
          log.toString());
      assertTrue(
          log.texts().stream().anyMatch(l -> l.contains("gmm:4") && l.contains("NaN")),
          log.toString());

      Map<String, List<WorkerHeartbeat>> beats =
          read(kafka, names.workers(), WorkerHeartbeat::parseFrom, m -> servesOnly2(m.get("w")));
      assertTrue(servesOnly2(beats.get("w")), "heartbeats list the versions served");
    }
  }

  private static boolean servesOnly2(List<WorkerHeartbeat> beats) {
    return beats != null
        && beats.stream()
            .anyMatch(b -> b.getModelsCount() == 1 && b.getModels(0).getVersion().equals("2"));
  }
}
