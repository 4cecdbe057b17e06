package io.scorestream.trainer.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.scorestream.proto.v1.TrainingMetrics;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A trainer's Prometheus metrics, kept from the curve points it publishes on {@code
 * scorestream.training}: the step, the loss and throughput of the last hundred steps, the
 * checkpoints published and the last one's quality figure. NaN until there is a value.
 */
public final class TrainerMetrics implements Consumer<TrainingMetrics> {
  private final AtomicLong step = new AtomicLong();
  private volatile double loss = Double.NaN;
  private volatile double examplesPerSecond = Double.NaN;
  private final AtomicLong checkpointStep = new AtomicLong(-1);
  private volatile double quality = Double.NaN;
  private final Counter checkpoints;

  /** Registers the trainer's meters, tagged with the model it trains. */
  public TrainerMetrics(MeterRegistry registry, String model) {
    Gauge.builder("scorestream.trainer.step", step, AtomicLong::get)
        .description("training steps taken")
        .tag("model", model)
        .register(registry);
    Gauge.builder("scorestream.trainer.loss", this, m -> m.loss)
        .description("mean denoising score matching loss of the last hundred steps")
        .tag("model", model)
        .register(registry);
    Gauge.builder("scorestream.trainer.examples.per.second", this, m -> m.examplesPerSecond)
        .description("examples through the network per second over the last hundred steps")
        .tag("model", model)
        .register(registry);
    Gauge.builder("scorestream.trainer.checkpoint.step", checkpointStep, AtomicLong::get)
        .description("the step of the last checkpoint published (-1: none yet)")
        .tag("model", model)
        .register(registry);
    Gauge.builder("scorestream.trainer.checkpoint.quality", this, m -> m.quality)
        .description(
            "the last measured checkpoint's distance to held-out data: sliced W1, or the Frechet"
                + " distance for images")
        .tag("model", model)
        .register(registry);
    checkpoints =
        Counter.builder("scorestream.trainer.checkpoints")
            .description("checkpoints published")
            .tag("model", model)
            .register(registry);
  }

  @Override
  public void accept(TrainingMetrics point) {
    step.accumulateAndGet(point.getStep(), Math::max);
    if (point.getVersion().isEmpty()) {
      loss = point.getLoss();
      examplesPerSecond = point.getExamplesPerSecond();
      return;
    }
    if (point.getStep() > checkpointStep.get()) {
      checkpoints.increment();
      checkpointStep.set(point.getStep());
    }
    if (point.hasSlicedWasserstein()) {
      quality = point.getSlicedWasserstein();
    } else if (point.hasFrechetDistance()) {
      quality = point.getFrechetDistance();
    }
  }
}
