package io.scorestream.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.scorestream.trainer.net.ScoreNet;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One training step's draws for {@link ScoreMatching}, in Java arrays reused from step to step:
 * rows, times, noise and the noisy examples {@code x_t = m(t) x_0 + sigma(t) z}, their weights, and
 * for sliced score matching the directions and the pair of points each example is evaluated at; and
 * the per-example loss of the network on them.
 */
final class TrainingBatch {
  private final int b;
  private final int d;
  private final int k;
  private final Objective objective;
  private final float[] xt;
  private final float[] z;
  private final float[] t;
  private final float[] sigma;
  private final float[] weight;
  private final float[] oneHot;
  private final float[] v;
  private final float[] pair;

  TrainingBatch(int b, int d, int k, Objective objective) {
    this.b = b;
    this.d = d;
    this.k = k;
    this.objective = objective;
    xt = new float[b * d];
    z = new float[b * d];
    t = new float[b];
    sigma = new float[b];
    weight = new float[b];
    oneHot = new float[b * Math.max(k, 1)];
    boolean sliced = objective instanceof Objective.Sliced;
    v = sliced ? new float[b * d] : null;
    pair = sliced ? new float[2 * b * d] : null;
  }

  /** Draws a batch: rows, times, noise, the noisy examples, weights, and directions for SSM. */
  void draw(SplittableRandom random, ScoreMatching.Settings s, float[] data, long[] labels, int n) {
    double horizon = s.sde().horizon();
    for (int i = 0; i < b; i++) {
      int row = random.nextInt(n);
      if (k > 0) {
        Arrays.fill(oneHot, i * k, (i + 1) * k, 0f);
        oneHot[i * k + (int) labels[row]] = 1;
      }
      double tt = s.eps() + random.nextDouble() * (horizon - s.eps());
      double mean = s.sde().meanCoefficient(tt);
      double std = s.sde().marginalStd(tt);
      t[i] = (float) tt;
      sigma[i] = (float) std;
      weight[i] = (float) (s.likelihoodWeighting() ? Math.pow(s.sde().diffusion(tt) / std, 2) : 1);
      for (int j = 0; j < d; j++) {
        double noise = random.nextGaussian();
        z[i * d + j] = (float) noise;
        xt[i * d + j] = (float) (mean * data[row * d + j] + std * noise);
      }
    }
    if (objective instanceof Objective.Sliced sliced) {
      SlicedScoreMatching.directions(sliced.projection(), random, v);
      SlicedScoreMatching.pair(xt, v, sigma, sliced.step(), pair);
    }
  }

  /** Each example's weight: 1, or {@code g^2 / sigma^2} under the likelihood weighting. */
  float[] weights() {
    return weight;
  }

  /** Each example's loss {@code [B]}, with the gradient recorded, under the batch's objective. */
  NDArray perExample(ScoreNet net, NDManager manager) {
    NDArray times = manager.create(t, new Shape(b));
    NDArray classes = k > 0 ? manager.create(oneHot, new Shape(b, k)) : null;
    if (objective instanceof Objective.Sliced sliced) {
      NDArray x = manager.create(pair, new Shape(2L * b, d));
      NDArray predicted =
          net.predictNoise(
              x, times.concat(times), classes == null ? null : classes.concat(classes));
      return SlicedScoreMatching.perExample(
          predicted, manager.create(v, new Shape(b, d)), sliced.step());
    }
    NDArray x = manager.create(xt, new Shape(b, d));
    NDArray noise = manager.create(z, new Shape(b, d));
    return net.predictNoise(x, times, classes).sub(noise).square().sum(new int[] {1});
  }
}
