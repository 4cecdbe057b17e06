package io.scorestream.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.testkit.TopicRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A planned stop lets the running job finish and starts nothing new; what arrived meanwhile stays
 * in Kafka and runs on the next worker.
 */
@ExtendWith(SharedBroker.class)
@Tag("integration")
class DrainTest {
  @TempDir Path dir;

  private static GenerateRequest request(String id, int steps) {
    return GenerateRequest.newBuilder()
        .setJobId(id)
        .setTenant("t")
        .setModelName("gmm-ve")
        .setNumSamples(2)
        .setSeed(3)
        .setSampler(SamplerSettings.newBuilder().setSteps(steps))
        .build();
  }

  private static JobEvent first(List<JobEvent> events, Predicate<JobEvent> kind) {
    return events.stream().filter(kind).findFirst().orElseThrow();
  }

  @Test
  void drainingWorkerFinishesItsRunningJobAndLeavesNewOnesToTheNext(TestKafka kafka)
      throws Exception {
    TopicNames names = kafka.freshNames("drain");
    Path models = TestModels.dir(dir, "gmm-ve.onnx", TestModels.standardNormal("gmm-ve", "1", 2));
    try (JobClient client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names)) {
      Worker first =
          Worker.start(
              WorkerSettings.builder(kafka.bootstrapServers(), "first")
                  .topics(names)
                  .modelsDir(models)
                  .intraOpThreads(1)
                  .build());
      client.submit(request("long", 40_000));
      TopicRecords.readUntil(
          kafka.bootstrapServers(),
          names.jobEvents(),
          JobEvent::parseFrom,
          Duration.ofSeconds(60),
          m -> m.getOrDefault("long", List.of()).stream().anyMatch(JobEvent::hasStarted));

      CompletableFuture<Integer> draining =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return first.drain(Duration.ofSeconds(120));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      client.submit(request("after", 50));
      assertEquals(0, draining.get(), "nothing is left running");
      Map<String, List<JobEvent>> events =
          TopicRecords.readUntil(
              kafka.bootstrapServers(),
              names.jobEvents(),
              JobEvent::parseFrom,
              Duration.ofSeconds(30),
              m -> m.getOrDefault("long", List.of()).stream().anyMatch(JobEvent::hasCompleted));
      assertEquals(
          1,
          first(events.get("long"), JobEvent::hasCompleted).getAttempt(),
          "finished where it began");
      assertTrue(
          events.getOrDefault("after", List.of()).stream().noneMatch(JobEvent::hasStarted),
          "a draining worker starts nothing");
      first.close();

      try (Worker next =
          Worker.start(
              WorkerSettings.builder(kafka.bootstrapServers(), "next")
                  .topics(names)
                  .modelsDir(models)
                  .intraOpThreads(1)
                  .build())) {
        Map<String, List<JobEvent>> later =
            TopicRecords.readUntil(
                kafka.bootstrapServers(),
                names.jobEvents(),
                JobEvent::parseFrom,
                Duration.ofSeconds(60),
                m -> m.getOrDefault("after", List.of()).stream().anyMatch(JobEvent::hasCompleted));
        assertEquals(
            "next", first(later.get("after"), JobEvent::hasStarted).getStarted().getWorkerId());
        assertEquals(
            1, later.get("long").stream().filter(JobEvent::hasCompleted).count(), "not run again");
      }
    }
  }
}
