package io.scorestream.trainer.net;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.scorestream.trainer.train.Optimizer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A small convolutional classifier of clean images {@code [C, H, W]} in model space, which a
 * trainer trains on its own data to measure samples with, in the manner of the FID's Inception
 * features (Heusel et al. 2017) but learnt here, since no pretrained network can be downloaded: two
 * stride-2 3x3 convolutions (16 and 32 channels, SiLU), a dense layer of {@link #FEATURES} SiLU
 * units — the features — and a dense layer to the K class logits. Trained by cross-entropy with
 * Adam.
 */
public final class FeatureClassifier implements AutoCloseable {
  /** Features per image: the penultimate layer's width. */
  public static final int FEATURES = 64;

  private final int channels;
  private final int height;
  private final int width;
  private final int classes;
  private final Params params;
  private final Optimizer optimizer;
  private final NDManager manager;
  private final SplittableRandom random;

  public FeatureClassifier(int[] shape, int classes, NDManager manager, long seed) {
    if (shape.length != 3 || classes < 2) {
      throw new IllegalArgumentException(
          "a feature classifier takes images [C, H, W] of two classes or more, not "
              + Arrays.toString(shape)
              + " of "
              + classes);
    }
    this.channels = shape[0];
    this.height = shape[1];
    this.width = shape[2];
    this.classes = classes;
    this.manager = manager;
    ParamShapes declared = new ParamShapes(seed);
    structure(declared, new long[] {channels, height, width});
    this.params = Params.of(manager, declared.shapes(), declared.values());
    this.optimizer = new Optimizer(new Optimizer.Settings(1e-3, 0, 1, 0.5), params, manager);
    this.random = new SplittableRandom(seed);
  }

  /** The class logits of images. */
  private <T> T structure(NetOps<T> ops, T x) {
    return logits(ops, features(ops, x));
  }

  private <T> T features(NetOps<T> ops, T x) {
    T h = ops.silu(ops.conv(x, "c1", 16, 3, 2));
    h = ops.silu(ops.conv(h, "c2", 32, 3, 2));
    return ops.silu(ops.dense(ops.flatten(h), "f", FEATURES));
  }

  private <T> T logits(NetOps<T> ops, T features) {
    return ops.dense(features, "logits", classes);
  }

  /**
   * Trains for {@code steps} steps of {@code batch} images drawn from {@code rows [N, D]} with
   * their labels (rows whose label is outside {@code [0, K)} are skipped); returns the mean loss of
   * the last steps.
   */
  public double train(float[] rows, long[] labels, int steps, int batch) {
    int d = channels * height * width;
    int[] usable =
        IntStream.range(0, labels.length)
            .filter(i -> labels[i] >= 0 && labels[i] < classes)
            .toArray();
    if (usable.length == 0) {
      throw new IllegalArgumentException("no labelled examples to train the feature classifier on");
    }
    float[] x = new float[batch * d];
    float[] oneHot = new float[batch * classes];
    double recent = 0;
    for (int s = 0; s < steps; s++) {
      Arrays.fill(oneHot, 0);
      for (int i = 0; i < batch; i++) {
        int row = usable[random.nextInt(usable.length)];
        System.arraycopy(rows, row * d, x, i * d, d);
        oneHot[i * classes + (int) labels[row]] = 1;
      }
      try (NDScope scope = new NDScope()) {
        NDArray images = manager.create(x, new Shape(batch, channels, height, width));
        NDArray targets = manager.create(oneHot, new Shape(batch, classes));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDArray logits = structure(new DjlOps(params, new float[0]), images);
          NDArray loss = logits.logSoftmax(1).mul(targets).sum(new int[] {1}).neg().mean();
          collector.backward(loss);
          if (s >= steps - 20) {
            recent += loss.getFloat() / Math.min(20, steps);
          }
        }
        optimizer.update();
      }
    }
    return recent;
  }

  /** The features {@code [n][FEATURES]} of images {@code rows [n, D]}. */
  public double[][] features(float[] rows) {
    return apply(rows, false);
  }

  /** The most likely class of each image. */
  public int[] predict(float[] rows) {
    double[][] logits = apply(rows, true);
    int[] out = new int[logits.length];
    for (int i = 0; i < logits.length; i++) {
      int best = 0;
      for (int k = 1; k < classes; k++) {
        if (logits[i][k] > logits[i][best]) {
          best = k;
        }
      }
      out[i] = best;
    }
    return out;
  }

  private double[][] apply(float[] rows, boolean toLogits) {
    int d = channels * height * width;
    int n = rows.length / d;
    int cols = toLogits ? classes : FEATURES;
    double[][] out = new double[n][cols];
    for (int from = 0; from < n; from += 256) {
      int b = Math.min(256, n - from);
      float[] chunk = Arrays.copyOfRange(rows, from * d, (from + b) * d);
      float[] values;
      try (NDScope scope = new NDScope()) {
        NDArray images = manager.create(chunk, new Shape(b, channels, height, width));
        DjlOps ops = new DjlOps(params, new float[0]);
        NDArray f = features(ops, images);
        values = (toLogits ? logits(ops, f) : f).toFloatArray();
      }
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < cols; j++) {
          out[from + i][j] = values[i * cols + j];
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    optimizer.close();
    params.close();
  }
}
