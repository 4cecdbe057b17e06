package io.scorestream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scorestream.proto.v1.TrainingMetrics;
import org.junit.jupiter.api.Test;

/** The trainer's metrics follow its curve: loss points move step and loss, checkpoints count. */
class TrainerMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TrainerMetrics metrics = new TrainerMetrics(registry, "moons");

  private double gauge(String name) {
    return registry.get(name).tag("model", "moons").gauge().value();
  }

  @Test
  void lossPointsMoveTheStepAndLossAndCheckpointsCountOnceWithTheirQuality() {
    assertTrue(Double.isNaN(gauge("scorestream.trainer.loss")), "no loss before the first point");
    assertEquals(-1, gauge("scorestream.trainer.checkpoint.step"));
    metrics.accept(point(100).setLoss(1.5).setExamplesPerSecond(900).build());
    metrics.accept(point(200).setLoss(0.8).setExamplesPerSecond(1000).build());
    assertEquals(200, gauge("scorestream.trainer.step"));
    assertEquals(0.8, gauge("scorestream.trainer.loss"));
    assertEquals(1000, gauge("scorestream.trainer.examples.per.second"));

    metrics.accept(point(200).setVersion("200").setSlicedWasserstein(0.12).build());
    assertEquals(200, gauge("scorestream.trainer.checkpoint.step"));
    assertEquals(0.12, gauge("scorestream.trainer.checkpoint.quality"));
    assertEquals(0.8, gauge("scorestream.trainer.loss"), "a checkpoint point leaves the loss");
    metrics.accept(point(400).setVersion("400").setFrechetDistance(3.5).build());
    assertEquals(2, registry.get("scorestream.trainer.checkpoints").counter().count());
    assertEquals(3.5, gauge("scorestream.trainer.checkpoint.quality"));
    assertEquals(400, gauge("scorestream.trainer.step"));
  }

  private static TrainingMetrics.Builder point(long step) {
    return TrainingMetrics.newBuilder().setModelName("moons").setStep(step);
  }
}
