package io.scorestream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.VpSde;
import io.scorestream.jobs.kafka.CheckpointParts;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.proto.v1.CheckpointPart;
import io.scorestream.proto.v1.TrainingMetrics;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.testkit.TopicRecords;
import io.scorestream.trainer.data.DataPublisher;
import io.scorestream.trainer.data.DataSources;
import io.scorestream.trainer.net.NetworkChoice;
import io.scorestream.trainer.train.Objective;
import io.scorestream.trainer.train.Optimizer;
import io.scorestream.trainer.train.TrainingState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer service learns from a data topic and publishes checkpoints that a worker can load.
 */
@Tag("integration")
@ExtendWith(SharedBroker.class)
class TrainerServiceTest {
  @Test
  void itTrainsOnADataTopicAndPublishesCheckedCheckpointsWithTheirMetadata(
      TestKafka kafka, @TempDir Path dir) throws Exception {
    TopicNames names = kafka.freshNames("eight");
    KafkaClients clients = kafka.clients();
    new DataPublisher(clients, names)
        .publish("eight", DataSources.builtin("8gaussians", 1), 3000, 0, l -> {});
    LinkedBlockingQueue<CheckpointEvent> published = new LinkedBlockingQueue<>();
    TrainerService service =
        new TrainerService(
            clients,
            names,
            eightMlp("eight-mlp", 64, new TrainerService.Quality(500, 0, 100, 10, 0), null, 0),
            published::add);
    Thread thread = new Thread(service, "trainer-under-test");
    thread.start();
    try {
      CheckpointEvent first = published.poll(120, TimeUnit.SECONDS);
      assertNotNull(first, "a checkpoint within two minutes");
      CheckpointEvent second = published.poll(120, TimeUnit.SECONDS);
      assertNotNull(second, "checkpoints keep coming");
      assertEquals("eight-mlp", second.getModelName());
      assertEquals("400", second.getVersion(), "versions are training steps");
      assertEquals(400, second.getTrainStep());
      assertEquals("eight", second.getMetadataMap().get("scorestream.dataset"));
      try (ScoreModel model = new OrtRuntime(1).load(second.getOnnx().toByteArray(), "x")) {
        assertArrayEquals(new int[] {2}, model.info().dataShape());
        assertEquals("400", model.info().version());
        float[] score = new float[2];
        model.score(new float[] {0.5f, -0.5f}, new float[] {0.5f}, null, 1, score);
        assertTrue(Float.isFinite(score[0]) && Float.isFinite(score[1]));
      }
    } finally {
      service.close();
      thread.join(30_000);
    }
    assertTrue(!thread.isAlive(), "the service stops when closed");

    // its curve: a loss point every hundred steps, and at each checkpoint the sliced W1 of 500
    // samples to the examples it held out (every 10th record) beside what two samples of the data
    // may differ by
    List<TrainingMetrics> curve =
        curve(
            kafka,
            names,
            "eight-mlp",
            points -> points.stream().anyMatch(p -> p.getVersion().equals("400")));
    assertTrue(
        curve.stream()
            .anyMatch(
                p ->
                    p.getStep() == 100
                        && p.getLoss() > 0
                        && p.getVersion().isEmpty()
                        && p.getExamplesPerSecond() > 0),
        "a loss point at step 100: " + curve);
    TrainingMetrics at400 =
        curve.stream().filter(p -> p.getVersion().equals("400")).findFirst().orElseThrow();
    assertEquals(
        300,
        at400.getQualitySamples(),
        "500 asked for, as many as the 300 examples held out of 3000");
    assertTrue(
        at400.hasSlicedWasserstein()
            && at400.getSlicedWasserstein() > 0
            && at400.getSlicedWassersteinBound() > 0,
        at400.toString());
    assertTrue(at400.getParityError() < 1e-4 && !at400.hasFrechetDistance(), at400.toString());
    assertTrue(at400.getArchitecture().startsWith("mlp dim=2 hidden=64"), at400.getArchitecture());

    // a trainer with a state directory, stopped after its first checkpoint and started again,
    // goes on from there
    Path states = dir.resolve("states");
    TrainerService.Settings resumable =
        eightMlp("resumed-mlp", 64, TrainerService.Quality.none(), states, 600);
    assertEquals("200", runUntilFirstCheckpoint(clients, names, resumable).getVersion());
    Path state = states.resolve("resumed-mlp.state");
    TrainingState saved = TrainingState.read(state);
    assertEquals(200, saved.step());
    assertEquals(3000, saved.dataOffset(), "its place in the data: every example read");
    assertEquals(
        "400",
        runUntilFirstCheckpoint(clients, names, resumable).getVersion(),
        "the second run's first checkpoint follows the first run's last");

    // with a step limit it publishes its last checkpoint there and stops by itself; started
    // again, it stops at once
    for (String expected : new String[] {"600", null}) {
      LinkedBlockingQueue<CheckpointEvent> last = new LinkedBlockingQueue<>();
      TrainerService limited = new TrainerService(clients, names, resumable, last::add);
      new Thread(limited).start();
      limited.stopped().get(120, TimeUnit.SECONDS);
      assertEquals(expected, last.isEmpty() ? null : last.peek().getVersion());
      assertTrue(last.size() <= 1);
    }

    // a damaged state stops the trainer with the reason, and is never half-loaded
    byte[] bytes = Files.readAllBytes(state);
    bytes[bytes.length / 2] ^= 1;
    Files.write(state, bytes);
    TrainerService damaged = new TrainerService(clients, names, resumable, event -> {});
    Thread t = new Thread(damaged);
    t.start();
    ExecutionException refused =
        assertThrows(ExecutionException.class, () -> damaged.stopped().get(60, TimeUnit.SECONDS));
    assertTrue(
        refused.getCause().getMessage().contains("checksum"), refused.getCause().getMessage());
    Files.write(state, Arrays.copyOf(bytes, bytes.length - 1000));
    assertTrue(
        assertThrows(IOException.class, () -> TrainingState.read(state))
            .getMessage()
            .contains("damaged"));
    TrainerService other =
        new TrainerService(
            clients,
            names,
            eightMlp("resumed-mlp", 32, TrainerService.Quality.none(), states, 0),
            event -> {});
    saved.write(state);
    Thread u = new Thread(other);
    u.start();
    ExecutionException mismatch =
        assertThrows(ExecutionException.class, () -> other.stopped().get(60, TimeUnit.SECONDS));
    assertTrue(
        mismatch.getCause().getMessage().contains("hidden=64"),
        "names what differs: " + mismatch.getCause().getMessage());
  }

  @Test
  void aTimedCheckpointComesBeforeItsStepCountAndALargeModelGoesOutInParts(TestKafka kafka)
      throws Exception {
    TopicNames names = kafka.freshNames("timed");
    KafkaClients clients = kafka.clients();
    new DataPublisher(clients, names)
        .publish("rings", DataSources.builtin("rings", 1), 2000, 0, l -> {});
    long start = System.nanoTime();
    CheckpointEvent event =
        runUntilFirstCheckpoint(
            clients,
            names,
            new TrainerService.Settings(
                "rings",
                "timed",
                new VpSde(0.1, 20, 1),
                NetworkChoice.mlp(64, 2),
                new Optimizer.Settings(1e-3, 50, 1, 0.99),
                Objective.DENOISING,
                128,
                new TrainerService.Checkpoints(1_000_000_000L, Duration.ofSeconds(3), 4096),
                TrainerService.Quality.none(),
                10_000,
                1000,
                1,
                null,
                0));
    assertTrue(
        System.nanoTime() - start < Duration.ofSeconds(60).toNanos(), "after seconds, not steps");
    assertTrue(
        event.getTrainStep() > 0 && event.getTrainStep() < 1_000_000_000L,
        "at the step it had reached");
    assertTrue(
        event.getParts() > 1 && !event.hasOnnx(),
        "a model over 4 KiB goes out in parts: " + event.getParts());

    try (ScoreModel model = new OrtRuntime(1).load(joined(kafka, names, "timed"), "timed")) {
      assertEquals(event.getVersion(), model.info().version());
    }
  }

  @Test
  void onLabelledImagesItTrainsAClassConditionalUNetAndPublishesItInParts(TestKafka kafka)
      throws Exception {
    TopicNames names = kafka.freshNames("glyphs");
    KafkaClients clients = kafka.clients();
    new DataPublisher(clients, names)
        .publish("glyphs", DataSources.builtin("glyphs", 1), 300, 0, l -> {});
    CheckpointEvent event =
        runUntilFirstCheckpoint(
            clients,
            names,
            new TrainerService.Settings(
                "glyphs",
                "glyph-unet",
                new VpSde(0.1, 20, 1),
                new NetworkChoice("auto", 1, 1, 8, true),
                new Optimizer.Settings(1e-3, 5, 1, 0.9),
                Objective.DENOISING,
                16,
                new TrainerService.Checkpoints(10, null, 64 * 1024),
                new TrainerService.Quality(16, 16, 20, 10, 50),
                1000,
                100,
                1,
                null,
                0));
    assertTrue(
        event.getParts() > 1,
        "a U-Net of " + event.getSizeBytes() + " bytes goes out in 64 KiB parts");
    TrainingMetrics measured =
        curve(
                kafka,
                names,
                "glyph-unet",
                points -> points.stream().anyMatch(p -> p.hasFrechetDistance()))
            .stream()
            .filter(TrainingMetrics::hasFrechetDistance)
            .findFirst()
            .orElseThrow();
    assertEquals(16, measured.getQualitySamples());
    assertTrue(
        measured.getFrechetDistance() >= 0
            && measured.getClassSpread() >= 0
            && measured.getClassSpread() <= 1
            && measured.hasLabelAgreement()
            && measured.hasClassifierAccuracy()
            && measured.getFrechetDistanceData() >= 0
            && measured.getFrechetDistanceData() < measured.getFrechetDistance()
            && !measured.hasSlicedWasserstein(),
        measured.toString());
    try (ScoreModel model =
        new OrtRuntime(1).load(joined(kafka, names, "glyph-unet"), "glyph-unet")) {
      assertArrayEquals(new int[] {1, 28, 28}, model.info().dataShape());
      assertEquals(8, model.info().numClasses(), "conditioned on the glyphs' eight labels");
      assertEquals(
          io.scorestream.core.model.DataScaling.CENTERED,
          model.info().scaling(),
          "pixels in [0, 1]");
      float[] score = new float[784];
      model.score(new float[784], new float[] {0.5f}, new long[] {3}, 1, score);
      assertTrue(Float.isFinite(score[0]));
    }
  }

  /**
   * The first model of this name on the checkpoints topic, joined from its parts as a worker joins
   * them.
   */
  private static byte[] joined(TestKafka kafka, TopicNames names, String model) {
    CheckpointParts.Assembly assembly = new CheckpointParts.Assembly();
    return TopicRecords.readInOrder(
            kafka.bootstrapServers(),
            names.checkpoints(),
            r -> {
              if (CheckpointParts.isPart(r.key())) {
                assembly.part(CheckpointPart.parseFrom(r.value()));
                return null;
              }
              return r.key().equals(model)
                  ? assembly.complete(CheckpointEvent.parseFrom(r.value()))
                  : null;
            },
            Duration.ofSeconds(30),
            models -> !models.isEmpty())
        .get(0);
  }

  /** The curve points of a model on the training topic, once {@code done} holds for them. */
  private static List<TrainingMetrics> curve(
      TestKafka kafka, TopicNames names, String model, Predicate<List<TrainingMetrics>> done) {
    return TopicRecords.readInOrder(
        kafka.bootstrapServers(),
        names.training(),
        r -> model.equals(r.key()) ? TrainingMetrics.parseFrom(r.value()) : null,
        Duration.ofSeconds(30),
        done);
  }

  /**
   * A trainer of an MLP (this wide, two layers) on the dataset "eight": VP SDE, batches of 128, a
   * checkpoint every 200 steps, training from 1,000 examples on.
   */
  private static TrainerService.Settings eightMlp(
      String model, int hidden, TrainerService.Quality quality, Path states, long maxSteps) {
    return new TrainerService.Settings(
        "eight",
        model,
        new VpSde(0.1, 20, 1),
        NetworkChoice.mlp(hidden, 2),
        new Optimizer.Settings(1e-3, 50, 1, 0.99),
        Objective.DENOISING,
        128,
        new TrainerService.Checkpoints(200, null, CheckpointParts.DEFAULT_PART_BYTES),
        quality,
        10_000,
        1000,
        1,
        states,
        maxSteps);
  }

  private static CheckpointEvent runUntilFirstCheckpoint(
      KafkaClients clients, TopicNames names, TrainerService.Settings settings) throws Exception {
    LinkedBlockingQueue<CheckpointEvent> published = new LinkedBlockingQueue<>();
    TrainerService service = new TrainerService(clients, names, settings, published::add);
    Thread thread = new Thread(service);
    thread.start();
    try {
      CheckpointEvent first = published.poll(120, TimeUnit.SECONDS);
      assertNotNull(first, "a checkpoint within two minutes");
      return first;
    } finally {
      service.close();
      thread.join(30_000);
      service.stopped().get(30, TimeUnit.SECONDS);
    }
  }
}
