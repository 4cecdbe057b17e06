package io.scorestream.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.sde.VpSde;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.jobs.kafka.CheckpointParts;
import io.scorestream.jobs.kafka.CheckpointPublisher;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.proto.v1.CheckpointPart;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.testkit.TopicRecords;
import io.scorestream.testkit.logging.LogCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint larger than one record travels in parts that a worker on another host joins; the
 * parts of replaced or unfinished versions are deleted from the compacted topic, and a version with
 * a part missing is refused.
 */
@ExtendWith(SharedBroker.class)
@Tag("integration")
class SplitCheckpointTest {
  @RegisterExtension final LogCapture log = new LogCapture("io.scorestream");

  private TopicNames names;
  private TestKafka kafka;

  @BeforeEach
  void freshTopics(TestKafka kafka) {
    this.kafka = kafka;
    names = kafka.freshNames("splitcheckpoint");
  }

  @TempDir Path dir;

  /** A mixture with enough components that its model spans several 1 KiB parts. */
  private static byte[] model(String version, double shift) {
    int k = 200;
    double[] weights = new double[k];
    double[][] means = new double[k][];
    double[] sigmas = new double[k];
    for (int i = 0; i < k; i++) {
      weights[i] = 1.0 / k;
      means[i] = new double[] {Math.cos(i) + shift, Math.sin(i)};
      sigmas[i] = 0.2;
    }
    return GaussianMixtureOnnx.build(
        new GaussianMixture(weights, means, sigmas),
        new ModelInfo(
            "big",
            version,
            new VpSde(0.1, 20, 1),
            1e-3,
            new int[] {2},
            DataScaling.IDENTITY,
            0,
            TimeInput.TIME,
            "",
            -1));
  }

  private static void await(BooleanSupplier condition, String what, LogCapture log) {
    try {
      Awaitility.await(what)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(20))
          .until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(what + ": " + log, e);
    }
  }

  @Test
  void aModelInPartsIsJoinedByWorkersAndStalePartsAreDeleted() throws Exception {
    KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
    byte[] v1 = model("1", 0);
    assertTrue(v1.length > 3 * 1024, "the model spans several parts: " + v1.length);
    try (Worker worker =
            Worker.start(
                WorkerSettings.builder(kafka.bootstrapServers(), "w")
                    .topics(names)
                    .maxBatch(4096)
                    .maxActiveSamples(100_000)
                    .intraOpThreads(1)
                    .build());
        CheckpointPublisher publisher = new CheckpointPublisher(clients, names, 1024);
        KafkaProducer<String, byte[]> raw = clients.producer(Map.of())) {
      CheckpointEvent first = publisher.publish(v1, "big");
      assertEquals((v1.length + 1023) / 1024, first.getParts());
      assertFalse(first.hasOnnx(), "the event carries no bytes of its own");
      await(() -> worker.models().serves("big", "1"), "version 1 was not joined and loaded", log);
      publisher.publish(model("2", 1), "big");
      await(() -> worker.models().serves("big", "2"), "version 2 was not joined and loaded", log);

      // a publisher killed while writing version 3's parts: a new publisher's version 4 deletes
      // them too
      byte[] v3 = model("3", 2);
      List<CheckpointPart> unfinished = CheckpointParts.split("big", "3", v3, 1024).subList(0, 2);
      int partition = CheckpointParts.partition("big", 3);
      for (CheckpointPart p : unfinished) {
        raw.send(
                new ProducerRecord<>(
                    names.checkpoints(),
                    partition,
                    CheckpointParts.key("big", "3", p.getIndex()),
                    p.toByteArray()))
            .get();
      }
      try (CheckpointPublisher restarted = new CheckpointPublisher(clients, names, 1024)) {
        restarted.publish(model("4", 3), "big");
      }
      await(() -> worker.models().serves("big", "4"), "version 4 was not joined and loaded", log);
      assertTrue(
          log.texts().stream().anyMatch(l -> l.contains("dropped 2 parts of big:3")),
          log.toString());

      Map<String, List<String>> records =
          TopicRecords.readUntil(
              kafka.bootstrapServers(),
              names.checkpoints(),
              b -> b == null ? "tombstone" : "value",
              Duration.ofSeconds(30),
              m ->
                  m.containsKey(CheckpointParts.key("big", "3", 1))
                      && last(m, CheckpointParts.key("big", "3", 1)).equals("tombstone"));
      for (String key : records.keySet()) {
        if (CheckpointParts.isPart(key)) {
          boolean current = key.startsWith("big@4#");
          assertEquals(
              current ? "value" : "tombstone", last(records, key), key + " after version 4");
        }
      }

      // an event whose parts are not all there is refused with the reason, and the version served
      // stays
      byte[] v5 = model("5", 4);
      List<CheckpointPart> parts = CheckpointParts.split("big", "5", v5, 1024);
      for (CheckpointPart p : parts) {
        if (p.getIndex() != 1) {
          raw.send(
                  new ProducerRecord<>(
                      names.checkpoints(),
                      partition,
                      CheckpointParts.key("big", "5", p.getIndex()),
                      p.toByteArray()))
              .get();
        }
      }
      CheckpointEvent gap =
          CheckpointEvent.newBuilder()
              .setModelName("big")
              .setVersion("5")
              .setSizeBytes(v5.length)
              .setSha256(RequestDigest.sha256Hex(v5))
              .setParts(parts.size())
              .build();
      raw.send(new ProducerRecord<>(names.checkpoints(), partition, "big", gap.toByteArray()))
          .get();
      await(
          () -> log.texts().stream().anyMatch(l -> l.startsWith("rejected checkpoint big:5")),
          "version 5 was not refused",
          log);
      assertTrue(
          log.texts().stream()
              .anyMatch(
                  l ->
                      l.contains(
                          "big:5 is in "
                              + parts.size()
                              + " parts, and "
                              + (parts.size() - 1)
                              + " of them were read")),
          log.toString());
      assertFalse(worker.models().serves("big", "5"));

      // a worker that starts now reads the topic from its start and serves the newest complete
      // version
      try (Worker late =
          Worker.start(
              WorkerSettings.builder(kafka.bootstrapServers(), "late")
                  .topics(names)
                  .maxBatch(4096)
                  .maxActiveSamples(100_000)
                  .intraOpThreads(1)
                  .build())) {
        await(() -> late.models().serves("big", "4"), "a late worker did not load version 4", log);
        assertFalse(late.models().serves("big", "5"));
      }
    }
  }

  private static String last(Map<String, List<String>> records, String key) {
    List<String> values = records.get(key);
    return values.get(values.size() - 1);
  }
}
