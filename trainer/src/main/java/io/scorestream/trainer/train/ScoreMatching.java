package io.scorestream.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.scorestream.core.sde.Sde;
import io.scorestream.trainer.net.Architecture;
import io.scorestream.trainer.net.ScoreNet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Continuous-time score matching for VE, VP and sub-VP SDEs: for a batch of data {@code x_0}, times
 * {@code t ~ U(eps, T)} and noise {@code z ~ N(0, I)}, the network sees {@code x_t = m(t) x_0 +
 * sigma(t) z} and predicts noise, the score being {@code s = -eps_hat / sigma}. By denoising score
 * matching (Song et al. 2021, eq. 7) it predicts z: the loss {@code |z - eps_hat|^2} is the
 * reference weighting {@code lambda(t) = sigma(t)^2} of {@code |sigma s + z|^2 / sigma^2}. By
 * sliced score matching ({@link SlicedScoreMatching}) it fits the score of {@code p_t} without
 * using z, at the same weighting. The likelihood weighting {@code lambda(t) = g(t)^2} (Song et al.
 * 2021b) multiplies either by {@code g^2 / sigma^2}. Noise, times and directions are drawn in Java
 * from the seed, so a run is repeatable.
 */
public final class ScoreMatching implements AutoCloseable {
  /**
   * What a run does.
   *
   * @param sde the forward SDE
   * @param eps smallest time drawn
   * @param batch examples per step
   * @param optimizer Adam, warm-up, clipping and the moving average
   * @param maxSteps stop after this many steps (0: no limit)
   * @param maxTime stop after this long (null: no limit)
   * @param seed of the batches, times and noise
   * @param likelihoodWeighting weight by {@code g^2} instead of {@code sigma^2}
   * @param objective denoising or sliced score matching
   */
  public record Settings(
      Sde sde,
      double eps,
      int batch,
      Optimizer.Settings optimizer,
      long maxSteps,
      Duration maxTime,
      long seed,
      boolean likelihoodWeighting,
      Objective objective) {

    /**
     * Settings for a session whose runs each give their own limits ({@link ScoreMatching#run}'s
     * steps and time): the SDE's default eps, no limit of its own.
     */
    public static Settings forRuns(
        Sde sde,
        int batch,
        Optimizer.Settings optimizer,
        long seed,
        boolean likelihoodWeighting,
        Objective objective) {
      return new Settings(
          sde, sde.defaultEps(), batch, optimizer, 0, null, seed, likelihoodWeighting, objective);
    }
  }

  /**
   * What a run did.
   *
   * @param steps steps taken in all
   * @param seconds wall time of this run's steps
   * @param examplesPerSecond examples through the network per second in this run
   * @param loss the loss, averaged over the last hundred steps
   * @param curve the loss averaged over each hundred steps, in order, since the session began
   * @param averaged the moving average of the weights (what is exported)
   */
  public record Result(
      long steps,
      double seconds,
      double examplesPerSecond,
      double loss,
      List<Double> curve,
      Map<String, float[]> averaged) {}

  /**
   * The mean loss of a hundred steps, as training goes.
   *
   * @param step the step it ends at
   * @param loss mean loss of its steps
   * @param examplesPerSecond examples through the network per second over them
   */
  public record Window(long step, double loss, double examplesPerSecond) {
    @Override
    public String toString() {
      return String.format("step %d: loss %.4f", step, loss);
    }
  }

  private final ScoreNet net;
  private final Settings s;
  private final NDManager manager;
  private final Optimizer optimizer;
  private SplittableRandom random;
  private final List<Double> curve = new ArrayList<>();
  private double window;
  private int inWindow;
  private long windowNanos;

  /** A session: the network, its optimizer and the random draws, kept across {@link #run} calls. */
  public ScoreMatching(ScoreNet net, Settings s, NDManager manager) {
    this.net = net;
    this.s = s;
    this.manager = manager;
    this.optimizer = new Optimizer(s.optimizer(), net.params(), manager);
    this.random = new SplittableRandom(s.seed());
  }

  /**
   * The network a session starts from: {@code saved}'s weights to resume, or new weights drawn from
   * {@code seed} when there is no saved state.
   */
  public static ScoreNet network(
      Architecture architecture, TrainingState saved, NDManager manager, long seed) {
    return saved == null
        ? ScoreNet.create(architecture, manager, seed)
        : ScoreNet.of(architecture, saved.constants(), saved.weights(), manager);
  }

  /**
   * Trains {@code net} on {@code data} (and its labels, for a class-conditional net) until {@code
   * s}'s limits.
   */
  public static Result train(
      ScoreNet net,
      float[] data,
      long[] labels,
      Settings s,
      NDManager manager,
      Consumer<Window> progress) {
    if (s.maxSteps() <= 0 && s.maxTime() == null) {
      throw new IllegalArgumentException("training needs a step limit or a time limit");
    }
    try (ScoreMatching session = new ScoreMatching(net, s, manager)) {
      return session.run(data, labels, s.maxSteps(), s.maxTime(), progress);
    }
  }

  /**
   * Trains on {@code data} ({@code [N, D]} row-major, in model space) for {@code steps} more steps
   * (0: no limit) or {@code time} (null: no limit), whichever ends first.
   *
   * @param labels each row's class in {@code [0, K)} for a class-conditional network; ignored
   *     otherwise
   * @param progress hears each hundred steps' mean loss
   */
  public Result run(
      float[] data, long[] labels, long steps, Duration time, Consumer<Window> progress) {
    if (steps <= 0 && time == null) {
      throw new IllegalArgumentException("a run needs a step limit or a time limit");
    }
    int d = net.architecture().dim();
    int k = net.architecture().numClasses();
    int n = data.length / d;
    if (n == 0 || data.length % d != 0) {
      throw new IllegalArgumentException(
          "the data holds " + data.length + " values, not rows of " + d);
    }
    if (k > 0) {
      checkLabels(labels, n, k);
    }
    int b = s.batch();
    TrainingBatch batch = new TrainingBatch(b, d, k, s.objective());
    long start = System.nanoTime();
    long deadline = time == null ? Long.MAX_VALUE : start + time.toNanos();
    long last = steps <= 0 ? Long.MAX_VALUE : optimizer.steps() + steps;
    long first = optimizer.steps();
    while (optimizer.steps() < last && System.nanoTime() < deadline) {
      long stepStart = System.nanoTime();
      batch.draw(random, s, data, labels, n);
      double loss;
      try (NDScope scope = new NDScope()) {
        NDArray weights = manager.create(batch.weights(), new Shape(b));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDArray objective = batch.perExample(net, manager).mul(weights).mean();
          collector.backward(objective);
          loss = objective.getFloat();
        }
        optimizer.update();
      }
      window += loss;
      windowNanos += System.nanoTime() - stepStart;
      if (++inWindow == 100) {
        curve.add(window / inWindow);
        progress.accept(
            new Window(
                optimizer.steps(),
                window / inWindow,
                inWindow * (double) b * 1e9 / Math.max(1, windowNanos)));
        window = 0;
        inWindow = 0;
        windowNanos = 0;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double recent =
        inWindow > 0
            ? window / inWindow
            : curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1);
    return new Result(
        optimizer.steps(),
        seconds,
        (optimizer.steps() - first) * b / seconds,
        recent,
        List.copyOf(curve),
        optimizer.averaged());
  }

  private static void checkLabels(long[] labels, int n, int k) {
    if (labels == null || labels.length < n) {
      throw new IllegalArgumentException(
          "a network conditioned on "
              + k
              + " classes trains on labelled data, and "
              + (labels == null
                  ? "these examples have no labels"
                  : "only " + labels.length + " of " + n + " have one"));
    }
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= k) {
        throw new IllegalArgumentException(
            "example " + i + " has label " + labels[i] + ", outside [0, " + k + ")");
      }
    }
  }

  /**
   * Takes up a saved state: the optimiser's moments, moving average and step (the network must have
   * been built from the state's weights), and draws that go on from the step rather than repeat the
   * first ones.
   */
  public void resume(TrainingState state) {
    optimizer.restore(state.step(), state.moments(), state.averaged());
    random = new SplittableRandom(s.seed() ^ (0x9E3779B97F4A7C15L * (state.step() + 1)));
  }

  /**
   * This session's state, to write down: the network, the optimiser, the step, and the place in the
   * data.
   */
  public TrainingState state(String model, String dataset, int[] dataShape, long dataOffset) {
    return new TrainingState(
        model,
        dataset,
        dataShape.clone(),
        net.architecture(),
        net.constants(),
        optimizer.steps(),
        dataOffset,
        net.params().snapshot(),
        optimizer.moments(),
        optimizer.averaged());
  }

  /** Steps taken so far. */
  public long steps() {
    return optimizer.steps();
  }

  @Override
  public void close() {
    optimizer.close();
  }
}
