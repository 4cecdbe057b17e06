package io.scorestream.trainer.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A noise-prediction network {@code eps_hat(x_t, t[, y])} trained by denoising score matching, and
 * its export as an ONNX score model {@code -eps_hat / sigma(t)} that follows DESIGN.md's model
 * contract. Examples go in flat, {@code [B, D]}; a convolutional network reshapes them to its image
 * shape itself.
 */
public interface ScoreNet {
  /** Its shape. */
  Architecture architecture();

  /** Its trainable parameters. */
  Params params();

  /** Fixed values that are part of the network but not trained (Fourier frequencies), by name. */
  Map<String, float[]> constants();

  /**
   * The predicted noise {@code [B, D]} at {@code x [B, D]}, times {@code t [B]} and, for a
   * class-conditional network, labels as one-hot rows {@code [B, K]} (null otherwise); call it
   * inside an NDScope.
   */
  NDArray predictNoise(NDArray x, NDArray t, NDArray oneHotLabels);

  /**
   * The ONNX score model of this network with the given weights (the moving average's) under {@code
   * info}.
   */
  byte[] exportOnnx(Map<String, float[]> weights, ModelInfo info);

  /** A new network with initial weights drawn from {@code seed}. */
  static ScoreNet create(Architecture a, NDManager manager, long seed) {
    if (a instanceof ScoreMlp.Config c) {
      return ScoreMlp.create(c, manager, seed);
    }
    return ScoreUNet.create((ScoreUNet.Config) a, manager, seed);
  }

  /**
   * A network with the given constants and weights (a moving average to check, a state to resume).
   */
  static ScoreNet of(
      Architecture a,
      Map<String, float[]> constants,
      Map<String, float[]> weights,
      NDManager manager) {
    if (a instanceof ScoreMlp.Config c) {
      return ScoreMlp.of(c, constants, weights, manager);
    }
    return ScoreUNet.of((ScoreUNet.Config) a, constants, weights, manager);
  }

  /**
   * The largest difference, relative to {@code max(1, |score|)}, between this network's score
   * (DJL's forward pass) and an ONNX model's at {@code n} random points and labels of {@code
   * info}'s time range: what an export must keep under 1e-4 to be published.
   */
  default double parityError(ScoreModel onnx, ModelInfo info, int n, long seed) {
    int d = architecture().dim();
    int k = architecture().numClasses();
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[n * d];
    float[] t = new float[n];
    long[] labels = k > 0 ? new long[n] : null;
    float[] oneHot = k > 0 ? new float[n * k] : null;
    for (int i = 0; i < n; i++) {
      t[i] = (float) (info.eps() + random.nextDouble() * (info.sde().horizon() - info.eps()));
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) (2 * random.nextGaussian());
      }
      if (k > 0) {
        labels[i] = random.nextInt(k);
        oneHot[i * k + (int) labels[i]] = 1;
      }
    }
    float[] eps;
    try (NDScope scope = new NDScope()) {
      NDManager m = params().get(params().names().iterator().next()).getManager();
      eps =
          predictNoise(
                  m.create(x, new Shape(n, d)),
                  m.create(t, new Shape(n)),
                  k > 0 ? m.create(oneHot, new Shape(n, k)) : null)
              .toFloatArray();
    }
    float[] score = new float[n * d];
    onnx.score(x, t, labels, n, score);
    double worst = 0;
    for (int i = 0; i < n * d; i++) {
      double expected = -eps[i] / info.sde().marginalStd(t[i / d]);
      worst = Math.max(worst, Math.abs(expected - score[i]) / Math.max(1, Math.abs(expected)));
    }
    return worst;
  }
}
