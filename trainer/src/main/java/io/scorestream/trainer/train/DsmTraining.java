package io.scorestream.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.scorestream.core.sde.Sde;
import io.scorestream.trainer.net.ScoreMlp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Continuous-time denoising score matching (Song et al. 2021, eq. 7) for VE, VP and sub-VP SDEs: for a batch of
 * data {@code x_0}, times {@code t ~ U(eps, T)} and noise {@code z ~ N(0, I)}, the network predicts z from
 * {@code x_t = m(t) x_0 + sigma(t) z}. With the score {@code s = -eps_hat / sigma}, the loss
 * {@code |z - eps_hat|^2} is the reference weighting {@code lambda(t) = sigma(t)^2} of {@code |sigma s + z|^2 / sigma^2};
 * the likelihood weighting {@code lambda(t) = g(t)^2} (Song et al. 2021b) multiplies it by {@code g^2 / sigma^2}.
 * Noise and times are drawn in Java from the seed, so a run is repeatable.
 */
public final class DsmTraining {
  /**
   * What a run does.
   *
   * @param sde                 the forward SDE
   * @param eps                 smallest time drawn
   * @param batch               examples per step
   * @param optimizer           Adam, warm-up, clipping and the moving average
   * @param maxSteps            stop after this many steps (0: no limit)
   * @param maxTime             stop after this long (null: no limit)
   * @param seed                of the batches, times and noise
   * @param likelihoodWeighting weight by {@code g^2} instead of {@code sigma^2}
   */
  public record Settings(Sde sde, double eps, int batch, Optimizer.Settings optimizer, long maxSteps,
      Duration maxTime, long seed, boolean likelihoodWeighting) {}

  /**
   * What a run did.
   *
   * @param steps             steps taken
   * @param seconds           wall time of the steps
   * @param examplesPerSecond examples through the network per second
   * @param loss              the loss, averaged over the last hundred steps
   * @param curve             the loss averaged over each hundred steps, in order
   * @param averaged          the moving average of the weights (what is exported)
   */
  public record Result(long steps, double seconds, double examplesPerSecond, double loss, List<Double> curve,
      Map<String, float[]> averaged) {}

  private DsmTraining() {}

  /**
   * Trains {@code net} on {@code data} ({@code [N, D]} row-major, in model space) until a limit is reached.
   *
   * @param progress hears each hundred steps' mean loss
   */
  public static Result train(ScoreMlp net, float[] data, Settings s, NDManager manager, Consumer<String> progress) {
    if (s.maxSteps() <= 0 && s.maxTime() == null) {
      throw new IllegalArgumentException("training needs a step limit or a time limit");
    }
    int d = net.config().dim();
    int n = data.length / d;
    if (n == 0 || data.length % d != 0) {
      throw new IllegalArgumentException("the data holds " + data.length + " values, not rows of " + d);
    }
    SplittableRandom random = new SplittableRandom(s.seed());
    int b = s.batch();
    float[] xt = new float[b * d];
    float[] z = new float[b * d];
    float[] t = new float[b];
    float[] weight = new float[b];
    List<Double> curve = new ArrayList<>();
    double window = 0;
    int inWindow = 0;
    long start = System.nanoTime();
    long deadline = s.maxTime() == null ? Long.MAX_VALUE : start + s.maxTime().toNanos();
    double horizon = s.sde().horizon();
    try (Optimizer optimizer = new Optimizer(s.optimizer(), net.params(), manager)) {
      while ((s.maxSteps() <= 0 || optimizer.steps() < s.maxSteps()) && System.nanoTime() < deadline) {
        for (int i = 0; i < b; i++) {
          int row = random.nextInt(n);
          double time = s.eps() + random.nextDouble() * (horizon - s.eps());
          double mean = s.sde().meanCoefficient(time);
          double std = s.sde().marginalStd(time);
          t[i] = (float) time;
          weight[i] = (float) (s.likelihoodWeighting() ? Math.pow(s.sde().diffusion(time) / std, 2) : 1);
          for (int j = 0; j < d; j++) {
            double noise = random.nextGaussian();
            z[i * d + j] = (float) noise;
            xt[i * d + j] = (float) (mean * data[row * d + j] + std * noise);
          }
        }
        double loss;
        try (NDScope scope = new NDScope()) {
          NDArray x = manager.create(xt, new Shape(b, d));
          NDArray noise = manager.create(z, new Shape(b, d));
          NDArray times = manager.create(t, new Shape(b));
          NDArray weights = manager.create(weight, new Shape(b));
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray perExample = net.predictNoise(x, times).sub(noise).square().sum(new int[] {1});
            NDArray objective = perExample.mul(weights).mean();
            collector.backward(objective);
            loss = objective.getFloat();
          }
          optimizer.update();
        }
        window += loss;
        if (++inWindow == 100) {
          curve.add(window / inWindow);
          progress.accept(String.format("step %d: loss %.4f", optimizer.steps(), window / inWindow));
          window = 0;
          inWindow = 0;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double last = inWindow > 0 ? window / inWindow : curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1);
      return new Result(optimizer.steps(), seconds, optimizer.steps() * b / seconds, last, List.copyOf(curve),
          optimizer.averaged());
    }
  }
}
