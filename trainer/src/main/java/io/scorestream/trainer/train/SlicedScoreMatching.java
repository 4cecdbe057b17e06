package io.scorestream.trainer.train;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;

/**
 * Finite-difference sliced score matching with variance reduction (Song, Garg, Shi and Ermon 2019,
 * "Sliced Score Matching", eq. 8; Pang et al. 2020, "Efficient Learning of Generative Models via
 * Finite-Difference Score Matching") for a network that predicts noise, {@code s = -eps_hat /
 * sigma}, at one noise level per example.
 *
 * <p>SSM-VR's objective {@code J = E[v' grad_x s(x) v + |s(x)|^2 / 2]}, with {@code E[v v'] = I},
 * equals explicit score matching {@code E|s - grad log p|^2 / 2} less {@code E|grad log p|^2 / 2},
 * a constant: it has the same minimiser without knowing {@code p}. With {@code delta = kappa sigma}
 * and {@code x+- = x +- delta v}, central differences give {@code v' grad s v = (v.s(x+) - v.s(x-))
 * / (2 delta) + O(delta^2)} and {@code s(x) = (s(x+) + s(x-)) / 2 + O(delta^2)}: two forward
 * passes, ordinary backpropagation, no second-order gradients. In noise terms and weighted by
 * {@code sigma^2}, as denoising score matching's reference loss is, one example contributes
 *
 * <pre>{@code -v . (eps_hat(x+) - eps_hat(x-)) / (2 kappa) + |eps_hat(x+) + eps_hat(x-)|^2 / 8}
 * </pre>
 *
 * which no longer depends on sigma except through the network's input.
 */
public final class SlicedScoreMatching {
  private SlicedScoreMatching() {}

  /** Fills {@code v} ({@code [B, D]}) with directions drawn from {@code random}. */
  public static void directions(
      Objective.Projection projection, SplittableRandom random, float[] v) {
    for (int i = 0; i < v.length; i++) {
      v[i] =
          projection == Objective.Projection.GAUSSIAN
              ? (float) random.nextGaussian()
              : random.nextBoolean() ? 1f : -1f;
    }
  }

  /**
   * The two points each example is evaluated at, as one batch {@code [2B, D]}: rows {@code 0..B-1}
   * are {@code x + kappa sigma v}, rows {@code B..2B-1} are {@code x - kappa sigma v}.
   *
   * @param x the noisy examples {@code [B, D]}
   * @param v their directions {@code [B, D]}
   * @param sigma each example's noise level {@code [B]}
   * @param kappa the half-width as a fraction of sigma
   * @param pair receives the batch {@code [2B, D]}
   */
  public static void pair(float[] x, float[] v, float[] sigma, double kappa, float[] pair) {
    int b = sigma.length;
    int d = x.length / b;
    for (int i = 0; i < b; i++) {
      double delta = kappa * sigma[i];
      for (int j = 0; j < d; j++) {
        int k = i * d + j;
        pair[k] = (float) (x[k] + delta * v[k]);
        pair[x.length + k] = (float) (x[k] - delta * v[k]);
      }
    }
  }

  /**
   * Each example's loss {@code [B]}, the class doc's expression.
   *
   * @param predicted the network's noise prediction at {@link #pair}'s batch, {@code [2B, D]}
   * @param v the directions, {@code [B, D]}
   * @param kappa the half-width {@link #pair} used
   */
  public static NDArray perExample(NDArray predicted, NDArray v, double kappa) {
    long b = v.getShape().get(0);
    NDArray plus = predicted.get("0:" + b);
    NDArray minus = predicted.get(b + ":");
    NDArray curvature = v.mul(plus.sub(minus)).sum(new int[] {1}).div(-2 * kappa);
    NDArray norm = plus.add(minus).square().sum(new int[] {1}).div(8);
    return curvature.add(norm);
  }
}
