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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker reads no further ahead than its queue bound: with one job running at a time and room for
 * three more waiting, most of sixty jobs submitted at once stay in Kafka until there is room, and
 * every one of them still completes once.
 */
@ExtendWith(SharedBroker.class)
@Tag("integration")
class QueueBoundTest {
  private static final int MAX_QUEUED = 3;

  @TempDir Path dir;

  @Test
  void workerLeavesJobsInKafkaBeyondItsQueueBoundAndServesThemAllOnce(TestKafka kafka)
      throws Exception {
    TopicNames names = kafka.freshNames("queuebound");
    Path models = TestModels.dir(dir, "gmm-ve.onnx", TestModels.standardNormal("gmm-ve", "1", 2));
    try (Worker worker =
            Worker.start(
                WorkerSettings.builder(kafka.bootstrapServers(), "w")
                    .topics(names)
                    .modelsDir(models)
                    .maxActiveSamples(1)
                    .maxQueuedJobs(MAX_QUEUED)
                    .intraOpThreads(1)
                    .build());
        JobClient client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names)) {
      AtomicInteger mostQueued = new AtomicInteger();
      AtomicBoolean watching = new AtomicBoolean(true);
      Thread watcher =
          new Thread(
              () -> {
                while (watching.get()) {
                  mostQueued.accumulateAndGet(worker.scheduler().backlog(), Math::max);
                  LockSupport.parkNanos(200_000);
                }
              });
      watcher.start();
      List<GenerateRequest> requests =
          IntStream.range(0, 60)
              .mapToObj(
                  i ->
                      GenerateRequest.newBuilder()
                          .setJobId("job-" + i)
                          .setTenant("t")
                          .setModelName("gmm-ve")
                          .setNumSamples(1)
                          .setSeed(i)
                          .setSampler(SamplerSettings.newBuilder().setSteps(300))
                          .build())
              .toList();
      client.submitAll(requests);
      Map<String, List<JobEvent>> events =
          TopicRecords.readUntil(
              kafka.bootstrapServers(),
              names.jobEvents(),
              JobEvent::parseFrom,
              Duration.ofSeconds(120),
              m ->
                  requests.stream()
                      .allMatch(
                          r ->
                              m.getOrDefault(r.getJobId(), List.of()).stream()
                                  .anyMatch(JobEvent::hasCompleted)));
      watching.set(false);
      watcher.join();
      for (GenerateRequest r : requests) {
        List<JobEvent> mine = events.get(r.getJobId());
        assertEquals(
            1, mine.stream().filter(JobEvent::hasAccepted).count(), r.getJobId() + " read once");
        assertEquals(
            1,
            mine.stream().filter(JobEvent::hasCompleted).count(),
            r.getJobId() + " completed once");
      }
      // the bound can be passed by the jobs one scheduler round takes in; without it the backlog
      // reaches ~59
      assertTrue(
          mostQueued.get() <= 2 * MAX_QUEUED,
          "at most " + mostQueued.get() + " jobs waited in the worker");
    }
  }
}
