package io.scorestream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.sde.VpSde;
import io.scorestream.jobs.fuzz.FuzzBases;
import io.scorestream.jobs.fuzz.MessageFuzz;
import io.scorestream.jobs.kafka.CheckpointParts;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.proto.v1.DataRecord;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.testkit.logging.LogCapture;
import io.scorestream.trainer.data.DataPublisher;
import io.scorestream.trainer.data.DataSources;
import io.scorestream.trainer.net.NetworkChoice;
import io.scorestream.trainer.train.Objective;
import io.scorestream.trainer.train.Optimizer;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile records (two thousand by default) among a dataset's examples (each a valid example with
 * one to four fields given hostile values: shapes, dtypes and byte lengths of every kind, labels at
 * the limits, NaN; or its bytes damaged): the trainer skips each, says so, and trains on to a
 * checkpoint.
 */
@Tag("integration")
@ExtendWith(SharedBroker.class)
class HostileDataTest {
  @RegisterExtension final LogCapture log = new LogCapture("io.scorestream");

  /**
   * How many hostile records; {@code -Dscorestream.fuzz.data=N} for a long run (BENCHMARKS.md,
   * "Fuzzing").
   */
  private static final int HOSTILE = Integer.getInteger("scorestream.fuzz.data", 2000);

  @Test
  void aTrainerSkipsEveryHostileRecordAndTrainsOn(TestKafka kafka) throws Exception {
    TopicNames names = kafka.freshNames("hostile");
    KafkaClients clients = kafka.clients();
    DataPublisher publisher = new DataPublisher(clients, names);
    publisher.publish("eight", DataSources.builtin("8gaussians", 1), 1000, 0, l -> {});
    MessageFuzz fuzz = new MessageFuzz(20261203);
    DataRecord valid = FuzzBases.data("eight");
    try (KafkaProducer<String, byte[]> producer =
        clients.producer(
            Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES))) {
      for (int i = 0; i < HOSTILE; i++) {
        byte[] value =
            fuzz.random().nextInt(7) == 0
                ? fuzz.corrupt(valid.toByteArray())
                : fuzz.mutate(valid).toByteArray();
        producer.send(new ProducerRecord<>(names.data("eight"), "fz-" + i, value));
      }
    }
    publisher.publish("eight", DataSources.builtin("8gaussians", 2), 2000, 0, l -> {});
    LinkedBlockingQueue<CheckpointEvent> published = new LinkedBlockingQueue<>();
    TrainerService service =
        new TrainerService(
            clients,
            names,
            new TrainerService.Settings(
                "eight",
                "hostile-mlp",
                new VpSde(0.1, 20, 1),
                NetworkChoice.mlp(32, 2),
                new Optimizer.Settings(1e-3, 50, 1, 0.99),
                Objective.DENOISING,
                64,
                new TrainerService.Checkpoints(300, null, CheckpointParts.DEFAULT_PART_BYTES),
                new TrainerService.Quality(200, 0, 100, 10, 0),
                10_000,
                2500,
                1,
                null,
                0),
            published::add);
    Thread thread = new Thread(service, "trainer-under-hostile-data");
    thread.start();
    try {
      assertNotNull(
          published.poll(120, TimeUnit.SECONDS), "a checkpoint after the hostile records: " + log);
    } finally {
      service.close();
      thread.join(30_000);
    }
    assertFalse(
        service.stopped().isCompletedExceptionally(), "it stopped only when closed: " + log);
    assertTrue(log.saw("skipped record"), "it said what it skipped: " + log);
  }
}
