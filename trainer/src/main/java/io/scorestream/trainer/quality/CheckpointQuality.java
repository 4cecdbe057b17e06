package io.scorestream.trainer.quality;

import ai.djl.ndarray.NDManager;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.CorrectorKind;
import io.scorestream.core.sample.PredictorKind;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.core.stats.FrechetDistance;
import io.scorestream.core.stats.RandomRows;
import io.scorestream.core.stats.SlicedWasserstein;
import io.scorestream.trainer.net.FeatureClassifier;
import java.util.List;

/**
 * How good a checkpoint's samples are, measured against data held out of training. Samples are
 * drawn by a {@code core} sampler from the exported ONNX model, as a worker would draw them: for
 * checkpoints the reverse-diffusion predictor ({@link #checkpointSampler}: no corrector, half the
 * cost, and no Langevin step to blow up on the rough scores of an early checkpoint), for {@code
 * evaluate} any sampler. Low-dimensional data: the sliced Wasserstein-1 distance to the held-out
 * examples, beside what two samples of the same size from the data itself may differ by. Images of
 * a labelled dataset: the Fréchet distance between the samples' and the held-out images' features
 * in a {@link FeatureClassifier} trained here on the training data, the spread of the classes it
 * predicts for the samples (entropy over log K: 1 when every class is equally common), for a
 * class-conditional model the share of samples classified as the label they were drawn for, and the
 * classifier's own accuracy on the held-out images (a feature space is only as good as that).
 */
public final class CheckpointQuality implements AutoCloseable {
  /**
   * The figures of one checkpoint; absent ones are null.
   *
   * @param samples samples drawn
   * @param slicedWasserstein low-dimensional data: sliced W1 to held-out data
   * @param bound what two samples of the data may differ by
   * @param frechetDistance images: Fréchet distance in the classifier's features
   * @param frechetFloor the same between as many training images, drawn at random, and the held-out
   *     ones: where a perfect model's samples would land, sampling error included
   * @param classSpread images: entropy of predicted classes over log K
   * @param labelAgreement conditional models: share of samples classified as their label
   * @param classifierAccuracy the classifier's accuracy on the held-out images
   * @param nfe score evaluations the sampler spent
   */
  public record Figures(
      int samples,
      Double slicedWasserstein,
      Double bound,
      Double frechetDistance,
      Double frechetFloor,
      Double classSpread,
      Double labelAgreement,
      Double classifierAccuracy,
      long nfe) {
    /** The figures as one line for a log. */
    public String describe() {
      StringBuilder s = new StringBuilder(samples + " samples (" + nfe + " NFE)");
      if (slicedWasserstein != null) {
        s.append(
            String.format(", sliced W1 %.4f (data to data: up to %.4f)", slicedWasserstein, bound));
      }
      if (frechetDistance != null) {
        s.append(
            String.format(
                ", FD %.3f (training images: %.3f), class spread %.3f",
                frechetDistance, frechetFloor, classSpread));
      }
      if (labelAgreement != null) {
        s.append(String.format(", label agreement %.3f", labelAgreement));
      }
      if (classifierAccuracy != null) {
        s.append(String.format(" (classifier accuracy %.3f)", classifierAccuracy));
      }
      return s.toString();
    }
  }

  private final int[] shape;
  private final int numClasses;
  private final int samples;
  private final SamplerSpec sampler;
  private final FeatureClassifier classifier;

  /**
   * @param shape one example's shape
   * @param numClasses the dataset's classes (0: unlabelled)
   * @param samples samples to draw per checkpoint
   * @param sampler how to draw them
   */
  public CheckpointQuality(
      int[] shape, int numClasses, int samples, SamplerSpec sampler, NDManager manager, long seed) {
    this.shape = shape.clone();
    this.numClasses = numClasses;
    this.samples = samples;
    this.sampler = sampler;
    this.classifier =
        isImage(shape) && numClasses >= 2
            ? new FeatureClassifier(shape, numClasses, manager, seed)
            : null;
  }

  /** The checkpoints' sampler: {@code steps} reverse-diffusion steps, no corrector. */
  public static SamplerSpec checkpointSampler(int steps) {
    return SamplerSpec.builder()
        .steps(steps)
        .predictor(PredictorKind.REVERSE_DIFFUSION)
        .corrector(CorrectorKind.NONE)
        .build();
  }

  /**
   * True for images {@code [C, H, W]}, which get feature figures; other data gets sliced
   * Wasserstein.
   */
  public static boolean isImage(int[] shape) {
    return shape.length == 3;
  }

  /**
   * Measures a checkpoint. For images it first trains the classifier {@code classifierSteps} more
   * steps on the training examples (rows in model space, labels -1 where none).
   */
  public Figures measure(
      byte[] onnx,
      ModelInfo info,
      float[] training,
      long[] trainingLabels,
      float[] heldOut,
      long[] heldOutLabels,
      int classifierSteps,
      long seed) {
    int d = info.dimension();
    int n = isImage(shape) ? samples : Math.min(samples, heldOut.length / d);
    long[] labels = info.labelsInTurn(n);
    SamplingProcess drawing = sample(onnx, info, n, labels, seed);
    float[] drawn = toModel(drawing.result(), info.scaling());
    long nfe = drawing.nfe();
    if (!isImage(shape)) {
      double[][] reference = SlicedWasserstein.rows(heldOut, d);
      double[][] directions = SlicedWasserstein.directions(64, d, 5);
      return new Figures(
          n,
          SlicedWasserstein.twoSample(SlicedWasserstein.rows(drawn, d), reference, directions),
          SlicedWasserstein.twoSampleBound(reference, directions, n),
          null,
          null,
          null,
          null,
          null,
          nfe);
    }
    if (classifier == null) {
      return new Figures(n, null, null, null, null, null, null, null, nfe);
    }
    classifier.train(training, trainingLabels, classifierSteps, 64);
    int[] predicted = classifier.predict(drawn);
    int[] counts = new int[numClasses];
    int agree = 0;
    for (int i = 0; i < n; i++) {
      counts[predicted[i]]++;
      if (labels != null && predicted[i] == labels[i]) {
        agree++;
      }
    }
    double entropy = 0;
    for (int c : counts) {
      if (c > 0) {
        entropy -= (double) c / n * Math.log((double) c / n);
      }
    }
    int[] heldOutPredicted = classifier.predict(heldOut);
    int right = 0;
    for (int i = 0; i < heldOutPredicted.length; i++) {
      if (heldOutPredicted[i] == heldOutLabels[i]) {
        right++;
      }
    }
    double[][] reference = classifier.features(heldOut);
    float[] real = RandomRows.of(training, d, n, seed);
    return new Figures(
        n,
        null,
        null,
        FrechetDistance.between(classifier.features(drawn), reference),
        FrechetDistance.between(classifier.features(real), reference),
        entropy / Math.log(numClasses),
        labels == null ? null : (double) agree / n,
        (double) right / heldOutPredicted.length,
        nfe);
  }

  /**
   * Draws {@code n} samples of a model to the end.
   *
   * @throws IllegalStateException naming the failure when the sampler fails
   */
  private SamplingProcess sample(byte[] onnx, ModelInfo info, int n, long[] labels, long seed) {
    try (ScoreModel model = new OrtRuntime(0).load(onnx, info.name())) {
      SamplingProcess p = Samplers.start(sampler, info, n, seed, labels);
      new BatchEvaluator(model, 4096).runToCompletion(List.of(p), () -> {});
      return p;
    }
  }

  /** Data-space samples back in model space, in place. */
  private static float[] toModel(float[] x, DataScaling scaling) {
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) scaling.toModel(x[i]);
    }
    return x;
  }

  @Override
  public void close() {
    if (classifier != null) {
      classifier.close();
    }
  }
}
