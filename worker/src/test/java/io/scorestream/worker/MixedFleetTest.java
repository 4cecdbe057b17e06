package io.scorestream.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.Device;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.jobs.Tensors;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * A fleet whose workers serve different models: every job reaches a worker that serves its model,
 * whichever worker the shared jobs topic gave it to, and only a job for a model no worker serves
 * fails. A guided job reaches the worker that serves both its model and its classifier.
 */
@ExtendWith(SharedBroker.class)
@Tag("integration")
class MixedFleetTest {
  @RegisterExtension final LogCapture log = new LogCapture("io.scorestream");
  @TempDir Path dir;
  private TopicNames names;
  private TestKafka kafka;

  @BeforeEach
  void freshTopics(TestKafka kafka) {
    this.kafka = kafka;
    names = kafka.freshNames("mixedfleet");
  }

  private Path models(String name, String... models) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    for (String m : models) {
      Files.write(d.resolve(m + ".onnx"), TestModels.standardNormal(m, "1", 2));
    }
    return d;
  }

  /**
   * A classifier of two classes in the plane under the test models' SDE (the exact one of two modes
   * at -1, 1).
   */
  private static byte[] classifier(String name) {
    var base = TestModels.info(name, "1", 2);
    return io.scorestream.core.onnx.GaussianMixtureOnnx.classifier(
        new io.scorestream.core.analytic.GaussianMixture(
            new double[] {0.5, 0.5}, new double[][] {{-1, 0}, {1, 0}}, new double[] {0.5, 0.5}),
        new io.scorestream.core.model.ModelInfo(
            name,
            "1",
            base.sde(),
            base.eps(),
            base.dataShape(),
            base.scaling(),
            2,
            base.timeInput(),
            "",
            -1));
  }

  private static GenerateRequest guided(String id, String model, String classifier) {
    return request(id, model).toBuilder()
        .setConditioning(
            io.scorestream.proto.v1.Conditioning.newBuilder()
                .setClassLabels(io.scorestream.proto.v1.ClassLabels.newBuilder().addLabels(1)))
        .setGuidance(
            io.scorestream.proto.v1.Guidance.newBuilder().setClassifier(classifier).setScale(2))
        .build();
  }

  private static Path withClassifier(Path models) throws Exception {
    Files.write(models.resolve("modes.onnx"), classifier("modes"));
    return models;
  }

  private WorkerSettings settings(TestKafka kafka, String id, Path models) {
    return WorkerSettings.builder(kafka.bootstrapServers(), id)
        .topics(names)
        .modelsDir(models)
        .intraOpThreads(1)
        .build();
  }

  private static GenerateRequest request(String id, String model) {
    return GenerateRequest.newBuilder()
        .setJobId(id)
        .setTenant("t")
        .setModelName(model)
        .setNumSamples(2)
        .setSeed(id.hashCode())
        .setSampler(SamplerSettings.newBuilder().setSteps(50))
        .build();
  }

  private static void await(String what, BooleanSupplier done) {
    Awaitility.await(what).atMost(Duration.ofSeconds(60)).until(done::getAsBoolean);
  }

  @Test
  void everyJobReachesAWorkerThatServesItsModelAndOnlyUnservedModelsFail() throws Exception {
    try (Worker narrow =
            Worker.start(settings(kafka, "narrow", models("narrow-models", "common")));
        Worker wide =
            Worker.start(
                settings(kafka, "wide", withClassifier(models("wide-models", "common", "rare"))));
        JobClient client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names)) {
      await(
          "the group settled with both workers on the jobs topic",
          () ->
              narrow.assignedJobPartitions() > 0
                  && wide.assignedJobPartitions() > 0
                  && narrow.assignedJobPartitions() + wide.assignedJobPartitions() == 12);
      await(
          "each worker learned the fleet's models",
          () ->
              narrow.fleetModels().equals(Set.of("common", "rare"))
                  && wide.fleetModels().equals(Set.of("common", "rare")));
      List<GenerateRequest> requests = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        requests.add(request("mixed-" + i, i % 2 == 0 ? "rare" : "common"));
      }
      for (int i = 0; i < 8; i++) {
        requests.add(guided("guided-" + i, "common", "modes"));
      }
      requests.add(request("nobody-serves", "absent"));
      requests.add(guided("no-classifier", "common", "absent"));
      client.submitAll(requests);
      Map<String, List<JobEvent>> events =
          eventsUntilEach(requests, e -> e.hasCompleted() || e.hasFailed());
      Set<String> commonWorkers = new HashSet<>();
      for (GenerateRequest r : requests.subList(0, 32)) {
        List<JobEvent> mine = events.get(r.getJobId());
        assertEquals(
            1, mine.stream().filter(JobEvent::hasCompleted).count(), r.getJobId() + ": " + mine);
        assertEquals(
            0, mine.stream().filter(JobEvent::hasFailed).count(), r.getJobId() + ": " + mine);
        String worker =
            mine.stream()
                .filter(JobEvent::hasStarted)
                .findFirst()
                .orElseThrow()
                .getStarted()
                .getWorkerId();
        if (r.getModelName().equals("rare") || r.hasGuidance()) {
          assertEquals("wide", worker, r.getJobId() + " ran where its model is");
        } else {
          commonWorkers.add(worker);
        }
      }
      assertEquals(
          Set.of("narrow", "wide"), commonWorkers, "jobs for the common model ran on both");
      JobEvent refused =
          events.get("nobody-serves").stream()
              .filter(JobEvent::hasFailed)
              .findFirst()
              .orElseThrow();
      assertEquals("unknown_model", refused.getFailed().getCode());
      assertTrue(
          refused.getFailed().getReason().contains("no worker in the fleet serves it"),
          refused.toString());
      JobEvent unguided =
          events.get("no-classifier").stream()
              .filter(JobEvent::hasFailed)
              .findFirst()
              .orElseThrow();
      assertEquals("unknown_model", unguided.getFailed().getCode());
      assertTrue(
          unguided.getFailed().getReason().contains("classifier 'absent' is not served"),
          unguided.toString());
    }
  }

  /**
   * A worker asked for a GPU on a machine (or build) without CUDA runs on the CPU beside a CPU
   * worker: it says why once, its heartbeats and metrics name the device it uses and the reason, it
   * takes the CPU's batch limits, and the jobs it runs give the samples the CPU worker gives.
   */
  @Test
  void aWorkerAskedForAGpuItCannotUseServesOnTheCpuAndSaysWhyInLogHeartbeatAndMetrics()
      throws Exception {
    assumeFalse(
        OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "with the GPU build the CUDA side is bench gpu's to check");
    Path models = models("same-models", "common");
    try (Worker asked =
            Worker.start(
                WorkerSettings.builder(kafka.bootstrapServers(), "asked-for-gpu")
                    .topics(names)
                    .modelsDir(models)
                    .intraOpThreads(1)
                    .device(Device.cuda(0))
                    .metricsPort(0)
                    .build());
        Worker plain = Worker.start(settings(kafka, "plain-cpu", models));
        JobClient client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names)) {
      assertEquals(
          1,
          log.texts(Level.WARN).stream().filter(t -> t.contains("asked for cuda:0")).count(),
          log.toString());
      await(
          "both workers beat",
          () ->
              !asked.lastHeartbeat().getWorkerId().isEmpty()
                  && !plain.lastHeartbeat().getWorkerId().isEmpty());
      WorkerHeartbeat fellBack = asked.lastHeartbeat();
      assertEquals("cpu", fellBack.getDevice());
      assertTrue(
          fellBack.getDeviceFallback().contains("CPU artifact"), fellBack.getDeviceFallback());
      assertEquals(WorkerSettings.CPU_MAX_BATCH, fellBack.getMaxBatch());
      assertEquals("cpu", plain.lastHeartbeat().getDevice());
      assertEquals("", plain.lastHeartbeat().getDeviceFallback());

      HttpResponse<String> scrape =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + asked.metricsPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertTrue(
          scrape
              .body()
              .contains(
                  "scorestream_worker_device_fallback{device=\"cpu\",requested=\"cuda:0\","
                      + "worker=\"asked-for-gpu\"} 1.0"),
          scrape.body());

      await(
          "the group settled with both workers on the jobs topic",
          () -> asked.assignedJobPartitions() > 0 && plain.assignedJobPartitions() > 0);
      List<GenerateRequest> requests = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        requests.add(request("device-" + i, "common"));
      }
      client.submitAll(requests);
      Map<String, List<JobEvent>> events = eventsUntilEach(requests, JobEvent::hasCompleted);
      Set<String> ranOn = new HashSet<>();
      try (ScoreModel reference =
          new OrtRuntime(1).load(TestModels.standardNormal("common", "1", 2), "common")) {
        for (GenerateRequest r : requests) {
          List<JobEvent> mine = events.get(r.getJobId());
          ranOn.add(
              mine.stream()
                  .filter(JobEvent::hasStarted)
                  .findFirst()
                  .orElseThrow()
                  .getStarted()
                  .getWorkerId());
          SameSamples.assertSame(
              SameSamples.alone(reference, r),
              Tensors.floats(
                  mine.stream()
                      .filter(JobEvent::hasCompleted)
                      .findFirst()
                      .orElseThrow()
                      .getCompleted()
                      .getSamples()),
              r.getJobId());
        }
      }
      assertEquals(Set.of("asked-for-gpu", "plain-cpu"), ranOn, "jobs ran on both workers");
    }
  }

  /**
   * The job events until each request has an event that {@code done} accepts (two minutes at most).
   */
  private Map<String, List<JobEvent>> eventsUntilEach(
      List<GenerateRequest> requests, Predicate<JobEvent> done) throws Exception {
    return TopicRecords.readUntil(
        kafka.bootstrapServers(),
        names.jobEvents(),
        JobEvent::parseFrom,
        Duration.ofSeconds(120),
        m ->
            requests.stream()
                .allMatch(r -> m.getOrDefault(r.getJobId(), List.of()).stream().anyMatch(done)));
  }
}
