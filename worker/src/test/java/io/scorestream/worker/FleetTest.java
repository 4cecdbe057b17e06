package io.scorestream.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.VpSde;
import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.testkit.TopicRecords;
import io.scorestream.testkit.logging.LogCapture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several workers in one group on the real embedded broker: sharing jobs, and surviving a kill -9.
 * Samples are compared with core's run alone through {@link SameSamples}.
 */
@Tag("integration")
@ExtendWith(SharedBroker.class)
class FleetTest {
  @RegisterExtension final LogCapture log = new LogCapture("io.scorestream");

  private static final GaussianMixture GMM =
      new GaussianMixture(
          new double[] {0.5, 0.5}, new double[][] {{-1, 0}, {1, 1}}, new double[] {0.3, 0.5});
  private static final ModelInfo INFO =
      new ModelInfo(
          "gmm-vp",
          "1",
          new VpSde(0.1, 20, 1),
          1e-3,
          new int[] {2},
          DataScaling.IDENTITY,
          0,
          TimeInput.TIME,
          "",
          -1);
  private TopicNames names;

  @TempDir Path dir;

  private WorkerSettings settings(String bootstrap, String id, Path models) {
    return WorkerSettings.builder(bootstrap, id)
        .topics(names)
        .modelsDir(models)
        .maxBatch(4096)
        .maxActiveSamples(100_000)
        .maxSamplesPerJob(10_000)
        .intraOpThreads(1)
        .build();
  }

  /** The job's model in a directory; the topics exist. */
  private Path setUp(TestKafka kafka) throws Exception {
    kafka.ensureTopics(names);
    return TestModels.dir(dir, "gmm-vp.onnx", GaussianMixtureOnnx.build(GMM, INFO));
  }

  private static GenerateRequest request(String id, int samples, long seed, int steps) {
    return GenerateRequest.newBuilder()
        .setJobId(id)
        .setTenant("t")
        .setModelName("gmm-vp")
        .setNumSamples(samples)
        .setSeed(seed)
        .setSampler(SamplerSettings.newBuilder().setSteps(steps))
        .build();
  }

  private Map<String, List<JobEvent>> events(
      TestKafka kafka, Duration timeout, Predicate<Map<String, List<JobEvent>>> done)
      throws Exception {
    return TopicRecords.readUntil(
        kafka.bootstrapServers(), names.jobEvents(), JobEvent::parseFrom, timeout, done);
  }

  private static boolean completed(List<JobEvent> events) {
    return events != null && events.stream().anyMatch(JobEvent::hasCompleted);
  }

  @Test
  void twoWorkersServeTwoHundredConcurrentJobsEachCompletedOnceWithCoreSamples(TestKafka kafka)
      throws Exception {
    names = kafka.freshNames("fleet");
    Path models = setUp(kafka);
    OrtRuntime runtime = new OrtRuntime(1);
    try (Worker a = Worker.start(settings(kafka.bootstrapServers(), "a", models));
        Worker b = Worker.start(settings(kafka.bootstrapServers(), "b", models));
        JobClient client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names);
        ScoreModel reference = runtime.load(GaussianMixtureOnnx.build(GMM, INFO), "gmm-vp")) {
      // both members hold partitions before the jobs come, so both serve some
      await("the group settled with partitions on both workers")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  a.assignedJobPartitions() > 0
                      && b.assignedJobPartitions() > 0
                      && a.assignedJobPartitions() + b.assignedJobPartitions() == 12);
      List<GenerateRequest> requests = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        requests.add(request("fleet-" + i, 1 + i % 4, i, 100 + i % 50));
      }
      requests.forEach(client::submit);
      Map<String, List<JobEvent>> events =
          events(
              kafka,
              Duration.ofSeconds(180),
              m -> requests.stream().allMatch(r -> completed(m.get(r.getJobId()))));
      Set<String> workers = new HashSet<>();
      for (GenerateRequest r : requests) {
        List<JobEvent> mine = events.get(r.getJobId());
        assertEquals(1, mine.stream().filter(JobEvent::hasCompleted).count(), r.getJobId());
        mine.stream()
            .filter(JobEvent::hasStarted)
            .forEach(e -> workers.add(e.getStarted().getWorkerId()));
        JobEvent done = mine.stream().filter(JobEvent::hasCompleted).findFirst().orElseThrow();
        float[] samples = Tensors.floats(done.getCompleted().getSamples());
        SameSamples.assertSame(SameSamples.alone(reference, r), samples, r.getJobId());
      }
      assertEquals(Set.of("a", "b"), workers, "both workers took part");
    }
  }

  @Test
  void jobsOfAWorkerKilledMidJobCompleteOnAnotherWithTheSameSamples(TestKafka kafka)
      throws Exception {
    names = kafka.freshNames("failover");
    Path models = setUp(kafka);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                WorkerProcess.class.getName(),
                kafka.bootstrapServers(),
                "doomed",
                models.toString(),
                names.prefix())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
      assertEquals("ready", out.readLine());
    }
    OrtRuntime runtime = new OrtRuntime(1);
    try (JobClient client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names);
        ScoreModel reference = runtime.load(GaussianMixtureOnnx.build(GMM, INFO), "gmm-vp")) {
      List<GenerateRequest> requests = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        requests.add(request("failover-" + i, 3, 50 + i, 40_000));
      }
      requests.forEach(client::submit);
      // every job started on the doomed worker, and none has finished: kill -9 it mid-job
      events(
          kafka,
          Duration.ofSeconds(60),
          m ->
              requests.stream()
                  .allMatch(
                      r ->
                          m.getOrDefault(r.getJobId(), List.of()).stream()
                              .anyMatch(JobEvent::hasStarted)));
      child.destroyForcibly().waitFor();
      try (Worker survivor = Worker.start(settings(kafka.bootstrapServers(), "survivor", models))) {
        Map<String, List<JobEvent>> events =
            events(
                kafka,
                Duration.ofSeconds(240),
                m -> requests.stream().allMatch(r -> completed(m.get(r.getJobId()))));
        for (GenerateRequest r : requests) {
          List<JobEvent> mine = events.get(r.getJobId());
          JobEvent done = mine.stream().filter(JobEvent::hasCompleted).findFirst().orElseThrow();
          assertEquals(1, mine.stream().filter(JobEvent::hasCompleted).count());
          assertEquals(2, done.getAttempt(), "readers see the attempt number change");
          assertTrue(
              mine.stream()
                  .anyMatch(e -> e.hasStarted() && e.getStarted().getWorkerId().equals("doomed")));
          assertTrue(
              mine.stream()
                  .anyMatch(
                      e -> e.hasStarted() && e.getStarted().getWorkerId().equals("survivor")));
          for (int i = 1; i < mine.size(); i++) {
            assertTrue(
                mine.get(i).getSequence() > mine.get(i - 1).getSequence(), "sequence keeps rising");
          }
          float[] samples = Tensors.floats(done.getCompleted().getSamples());
          SameSamples.assertSame(SameSamples.alone(reference, r), samples, r.getJobId());
        }
      }
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  void aWorkerThatCannotDeliverEventsStopsUncommittedAndItsJobRunsOnAnotherWorker(TestKafka kafka)
      throws Exception {
    names = kafka.freshNames("stranded");
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Path models = setUp(kafka);
      OrtRuntime runtime = new OrtRuntime(1);
      GenerateRequest request = request("stranded", 3, 9, 30);
      try (Worker first =
              Worker.start(
                  WorkerSettings.builder(kafka.bootstrapServers(), "first")
                      .topics(names)
                      .modelsDir(models)
                      .intraOpThreads(1)
                      .deliveryTimeout(Duration.ofSeconds(2))
                      .build());
          JobClient client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names);
          ScoreModel reference = runtime.load(GaussianMixtureOnnx.build(GMM, INFO), "gmm-vp")) {
        awaitPartitions(first, Topics.JOB_PARTITIONS);
        admin.deleteTopics(List.of(names.jobEvents())).all().get(); // events now have nowhere to go
        client.submit(request);
        Throwable cause = first.stopped().get(60, TimeUnit.SECONDS);
        assertTrue(cause != null, "the worker stopped on its own, with a cause");
        assertTrue(
            log.texts().stream()
                .anyMatch(l -> l.startsWith("stopping: an event could not be delivered")),
            log.toString());

        kafka.ensureTopics(names);
        try (Worker second = Worker.start(settings(kafka.bootstrapServers(), "second", models))) {
          List<JobEvent> mine =
              events(kafka, Duration.ofSeconds(60), m -> completed(m.get("stranded")))
                  .get("stranded");
          assertEquals(1, mine.stream().filter(JobEvent::hasCompleted).count(), "completed once");
          assertTrue(
              mine.stream()
                  .filter(JobEvent::hasStarted)
                  .allMatch(e -> e.getStarted().getWorkerId().equals("second")),
              "the job ran where events could go");
          JobEvent done = mine.get(mine.size() - 1);
          SameSamples.assertSame(
              SameSamples.alone(reference, request),
              Tensors.floats(done.getCompleted().getSamples()),
              "stranded");
        }
      }
    }
  }

  private static void awaitPartitions(Worker worker, int partitions) {
    await("the worker holds " + partitions + " job partitions")
        .atMost(Duration.ofSeconds(60))
        .until(() -> worker.assignedJobPartitions() >= partitions);
  }
}
