package io.scorestream.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.JobStatus;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.testkit.TopicRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A result larger than a Kafka producer's default 32 MiB buffer (here 2,100 samples of a
 * 4,096-value model, 34 MB) but within the record limit goes out in its completed event and its
 * state, and the worker serves on.
 */
@ExtendWith(SharedBroker.class)
@Tag("integration")
class LargeResultTest {
  private static final int DIM = 4096;

  @TempDir Path dir;

  @Test
  void resultBiggerThanTheDefaultProducerBufferIsDelivered(TestKafka kafka) throws Exception {
    TopicNames names = kafka.freshNames("largeresult");
    Path models = TestModels.dir(dir, "wide.onnx", TestModels.standardNormal("wide", "1", DIM));
    try (Worker worker =
            Worker.start(
                WorkerSettings.builder(kafka.bootstrapServers(), "w")
                    .topics(names)
                    .modelsDir(models)
                    .intraOpThreads(1)
                    .build());
        JobClient client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names)) {
      client.submit(
          GenerateRequest.newBuilder()
              .setJobId("big")
              .setTenant("t")
              .setModelName("wide")
              .setNumSamples(2100)
              .setSeed(1)
              .setSampler(SamplerSettings.newBuilder().setSteps(2))
              .build());
      client.submit(
          GenerateRequest.newBuilder()
              .setJobId("small")
              .setTenant("t")
              .setModelName("wide")
              .setNumSamples(1)
              .setSeed(2)
              .setSampler(SamplerSettings.newBuilder().setSteps(2))
              .build());
      var events =
          TopicRecords.readUntil(
              kafka.bootstrapServers(),
              names.jobEvents(),
              JobEvent::parseFrom,
              Duration.ofSeconds(120),
              m ->
                  List.of("big", "small").stream()
                      .allMatch(
                          id ->
                              m.getOrDefault(id, List.of()).stream()
                                  .anyMatch(e -> e.hasCompleted() || e.hasFailed())));
      JobEvent big = events.get("big").get(events.get("big").size() - 1);
      assertTrue(big.hasCompleted(), big.getEventCase().toString());
      assertEquals(2100 * DIM, Tensors.floats(big.getCompleted().getSamples()).length);
      assertTrue(
          events.get("small").get(events.get("small").size() - 1).hasCompleted(),
          "the worker serves on");
      assertFalse(worker.stopped().isDone(), "and has not stopped");
      var states =
          TopicRecords.readUntil(
              kafka.bootstrapServers(),
              names.jobState(),
              JobState::parseFrom,
              Duration.ofSeconds(60),
              m ->
                  m.getOrDefault("big", List.of()).stream()
                      .anyMatch(s -> s.getStatus() == JobStatus.SUCCEEDED));
      assertTrue(
          states.get("big").stream()
              .anyMatch(
                  s -> s.getResult().getSamples().getData().size() == 2100 * DIM * Float.BYTES),
          "the state carries the result too");
    }
  }
}
