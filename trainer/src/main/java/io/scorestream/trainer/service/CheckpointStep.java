package io.scorestream.trainer.service;

import ai.djl.ndarray.NDManager;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.OnnxMetadata;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.CheckpointPublisher;
import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.proto.v1.TrainingMetrics;
import io.scorestream.trainer.net.Architecture;
import io.scorestream.trainer.net.ScoreNet;
import io.scorestream.trainer.quality.CheckpointQuality;
import io.scorestream.trainer.train.ScoreMatching;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a trainer does at a checkpoint: export the moving average to ONNX, check the export against
 * DJL's forward pass (refused above {@link TrainerService#MAX_PARITY_ERROR}), publish it, measure
 * its samples against held-out data, and put the figures on the training topic beside the loss
 * points of {@link #window}.
 */
final class CheckpointStep {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStep.class);

  private final ModelInfo base;
  private final Map<String, String> notes;
  private final Architecture architecture;
  private final CheckpointPublisher publisher;
  private final MetricsPublisher metrics;
  private final CheckpointQuality quality;
  private final int classifierSteps;
  private final Consumer<CheckpointEvent> published;

  /**
   * @param notes metadata each checkpoint carries beside {@code base}'s (how it was trained)
   * @param quality measures checkpoints; null: no figures
   * @param classifierSteps steps the image feature classifier trains before each measurement
   */
  CheckpointStep(
      ModelInfo base,
      Map<String, String> notes,
      Architecture architecture,
      CheckpointPublisher publisher,
      MetricsPublisher metrics,
      CheckpointQuality quality,
      int classifierSteps,
      Consumer<CheckpointEvent> published) {
    this.base = base;
    this.notes = Map.copyOf(notes);
    this.architecture = architecture;
    this.publisher = publisher;
    this.metrics = metrics;
    this.quality = quality;
    this.classifierSteps = classifierSteps;
    this.published = published;
  }

  private TrainingMetrics.Builder point(long step, double loss, double examplesPerSecond) {
    return TrainingMetrics.newBuilder()
        .setModelName(base.name())
        .setDataset(base.dataset())
        .setStep(step)
        .setTime(Times.now())
        .setLoss(loss)
        .setExamplesPerSecond(examplesPerSecond)
        .setArchitecture(architecture.describe());
  }

  /** A hundred steps' loss, as a point of the curve. */
  void window(ScoreMatching.Window w) {
    metrics.publish(point(w.step(), w.loss(), w.examplesPerSecond()).build());
  }

  /** The checkpoint at the end of a run of training. */
  void checkpoint(
      ScoreMatching.Result r,
      ScoreNet net,
      NDManager manager,
      ReplayBuffer.Snapshot training,
      ReplayBuffer.Snapshot heldOut) {
    ModelInfo info =
        new ModelInfo(
            base.name(),
            Long.toString(r.steps()),
            base.sde(),
            base.eps(),
            base.dataShape(),
            base.scaling(),
            base.numClasses(),
            TimeInput.TIME,
            base.dataset(),
            r.steps());
    byte[] onnx = OnnxMetadata.with(net.exportOnnx(r.averaged(), info), notes);
    double parity;
    try (NDManager check = manager.newSubManager();
        ScoreModel model = new OrtRuntime(1).load(onnx, info.name())) {
      parity =
          ScoreNet.of(architecture, net.constants(), r.averaged(), check)
              .parityError(model, info, 256, r.steps());
    }
    TrainingMetrics.Builder point =
        point(r.steps(), r.loss(), r.examplesPerSecond()).setParityError(parity);
    if (!(parity <= TrainerService.MAX_PARITY_ERROR)) {
      LOG.error(
          "step {}: the export differs from DJL's forward pass by {}; not published",
          r.steps(),
          parity);
      metrics.publish(point.build());
      return;
    }
    CheckpointEvent event = publisher.publish(onnx, info.name());
    point.setVersion(event.getVersion());
    LOG.info(
        String.format(
            "step %d: loss %.4f, %.0f examples/s, %d examples held; published %s:%s (%d KiB,"
                + " parity %.1e)",
            r.steps(),
            r.loss(),
            r.examplesPerSecond(),
            training.labels().length,
            event.getModelName(),
            event.getVersion(),
            onnx.length / 1024,
            parity));
    published.accept(event);
    if (quality != null && heldOut.labels().length >= 2) {
      CheckpointQuality.Figures f;
      try {
        f =
            quality.measure(
                onnx,
                info,
                training.rows(),
                training.labels(),
                heldOut.rows(),
                heldOut.labels(),
                classifierSteps,
                r.steps());
      } catch (RuntimeException e) {
        // samples of an early checkpoint can diverge: the checkpoint stands, its point goes out
        // without figures
        LOG.warn("step {} quality not measured: {}", r.steps(), e.getMessage());
        metrics.publish(point.build());
        return;
      }
      LOG.info(
          "step {} quality: {} against {} held-out examples",
          r.steps(),
          f.describe(),
          heldOut.labels().length);
      point.setQualitySamples(f.samples());
      if (f.slicedWasserstein() != null) {
        point.setSlicedWasserstein(f.slicedWasserstein()).setSlicedWassersteinBound(f.bound());
      }
      if (f.frechetDistance() != null) {
        point
            .setFrechetDistance(f.frechetDistance())
            .setFrechetDistanceData(f.frechetFloor())
            .setClassSpread(f.classSpread())
            .setClassifierAccuracy(f.classifierAccuracy());
      }
      if (f.labelAgreement() != null) {
        point.setLabelAgreement(f.labelAgreement());
      }
    }
    metrics.publish(point.build());
  }
}
