package io.scorestream.core.sde;

import io.scorestream.core.stats.Normal;
import io.scorestream.core.stats.RandomRows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A VE model's noise scales chosen from its training data by the techniques of NCSNv2 (Song and
 * Ermon 2020, "Improved Techniques for Training Score-Based Generative Models", section 3), with
 * the annealed Langevin settings that go with them.
 *
 * <ul>
 *   <li>Technique 1: {@code sigma_max} is the largest Euclidean distance between two training
 *       examples, so that the prior {@code N(0, sigma_max^2 I)} covers every pair (measured on a
 *       sample of the data; see {@link #largestDistance}).
 *   <li>{@code sigma_min} is the data's resolution ({@link #resolution}): below it, noise no longer
 *       changes the data's distribution in a way a sampler can use.
 *   <li>Technique 2: geometric levels whose ratio {@code gamma} solves {@code Phi(sqrt(2D) (gamma -
 *       1) + 3 gamma) - Phi(sqrt(2D) (gamma - 1) - 3 gamma) = 1/2}, so that each level's Gaussian
 *       shell overlaps the next one's ({@link #levelRatio}).
 *   <li>Technique 4: with {@code T} Langevin steps per level, the step size {@code eps} (of {@code
 *       alpha_i = eps sigma_i^2 / sigma_L^2}) that brings the left side of the paper's eq. 4
 *       closest to 1 ({@link #stepSize}).
 * </ul>
 *
 * All distances are in model space, {@code D} values per example.
 *
 * @param sigmaMax the largest noise level
 * @param sigmaMin the smallest noise level
 * @param levels annealed Langevin's number of levels L
 * @param stepsPerLevel Langevin steps per level T
 * @param stepSize annealed Langevin's step size epsilon
 * @param reasons one line per choice, saying what it was made from
 */
public record NoiseScales(
    double sigmaMax,
    double sigmaMin,
    int levels,
    int stepsPerLevel,
    double stepSize,
    List<String> reasons) {

  /** NCSNv2's Langevin steps per level (its CIFAR-10 setting). */
  public static final int DEFAULT_STEPS_PER_LEVEL = 5;

  /** Levels when technique 2 has no answer (D below 5): NCSN's count. */
  public static final int FALLBACK_LEVELS = 10;

  /** Rows sampled for the pairwise distances; all of them when there are fewer. */
  static final int SAMPLE = 1000;

  /** Distinct values at most for data to count as lying on a grid. */
  static final int GRID_VALUES = 4096;

  public NoiseScales {
    reasons = List.copyOf(reasons);
  }

  /**
   * Chooses what is not given from {@code data} ({@code [N, D]} row-major, model space).
   *
   * @param sigmaMax the user's largest level, or null to choose it
   * @param sigmaMin the user's smallest level, or null to choose it
   * @param stepsPerLevel T
   * @param seed of the rows sampled
   */
  public static NoiseScales choose(
      float[] data, int d, Double sigmaMax, Double sigmaMin, int stepsPerLevel, long seed) {
    List<String> reasons = new ArrayList<>();
    double max;
    if (sigmaMax != null) {
      max = sigmaMax;
      reasons.add(String.format("sigma_max %.4g as given", max));
    } else {
      max = largestDistance(data, d, seed);
      reasons.add(
          String.format(
              "sigma_max %.4g: the largest distance between two of %d examples (NCSNv2 technique 1)",
              max, Math.min(SAMPLE, data.length / d)));
    }
    double min;
    if (sigmaMin != null) {
      min = sigmaMin;
      reasons.add(String.format("sigma_min %.4g as given", min));
    } else {
      Resolution r = resolution(data, d, seed);
      min = r.value();
      reasons.add(String.format("sigma_min %.4g: %s", min, r.why()));
    }
    if (!(max > min && min > 0)) {
      throw new IllegalArgumentException(
          String.format("sigma_max %.4g must exceed sigma_min %.4g > 0", max, min));
    }
    double target = levelRatio(d);
    int levels;
    if (Double.isNaN(target)) {
      levels = FALLBACK_LEVELS;
      reasons.add(
          String.format(
              "%d levels (NCSN's count): with D = %d technique 2's equation has no solution",
              levels, d));
    } else {
      levels = (int) Math.ceil(Math.log(max / min) / Math.log(target)) + 1;
      reasons.add(
          String.format(
              "%d levels: ratio %.5f, at most technique 2's %.5f for D = %d",
              levels, ratio(max, min, levels), target, d));
    }
    double gamma = ratio(max, min, levels);
    double eps = stepSize(gamma, stepsPerLevel, min);
    reasons.add(
        String.format(
            "step size %.3g for %d steps a level (technique 4: eq. 4 at %.4f, its closest to 1)",
            eps, stepsPerLevel, equationFour(eps / (min * min), gamma, stepsPerLevel)));
    return new NoiseScales(max, min, levels, stepsPerLevel, eps, reasons);
  }

  /** The ratio of consecutive levels of a geometric sequence of {@code levels} from max to min. */
  static double ratio(double max, double min, int levels) {
    return levels < 2 ? max / min : Math.pow(max / min, 1.0 / (levels - 1));
  }

  /**
   * Technique 1: the largest Euclidean distance between two rows of a sample of {@value #SAMPLE}
   * rows (every row when there are fewer). A sample's largest distance is at most the set's.
   */
  public static double largestDistance(float[] data, int d, long seed) {
    int[] rows = RandomRows.indices(data.length / d, SAMPLE, seed);
    double best = 0;
    for (int a = 0; a < rows.length; a++) {
      for (int b = a + 1; b < rows.length; b++) {
        best = Math.max(best, squaredDistance(data, d, rows[a], rows[b]));
      }
    }
    return Math.sqrt(best);
  }

  /**
   * The data's resolution and how it was found.
   *
   * @param value the resolution, in model-space units
   * @param why what it is
   */
  public record Resolution(double value, String why) {}

  /**
   * The smallest step between distinct values when the data lie on a grid (at most {@value
   * #GRID_VALUES} distinct values, each taken four times on average: 8-bit images give {@code
   * 1/255} of their range); otherwise the median distance from a sampled example to its nearest
   * neighbour among the others.
   */
  public static Resolution resolution(float[] data, int d, long seed) {
    int n = data.length / d;
    int[] rows = RandomRows.indices(n, SAMPLE, seed);
    float[] values = RandomRows.copy(data, d, rows);
    Arrays.sort(values);
    int distinct = 1;
    double gap = Double.POSITIVE_INFINITY;
    for (int i = 1; i < values.length; i++) {
      if (values[i] != values[i - 1]) {
        distinct++;
        gap = Math.min(gap, values[i] - values[i - 1]);
      }
    }
    if (distinct > 1 && distinct <= GRID_VALUES && distinct * 4 <= values.length) {
      return new Resolution(
          gap, String.format("the data's grid step (%d distinct values)", distinct));
    }
    // nearest neighbours among at most as many rows as keep the work near 2e8 operations
    int among = (int) Math.min(n, Math.max(rows.length, 200_000_000L / ((long) rows.length * d)));
    int[] others = RandomRows.indices(n, among, seed + 1);
    double[] nearest = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      double best = Double.POSITIVE_INFINITY;
      for (int o : others) {
        if (o != rows[i]) {
          double s = squaredDistance(data, d, rows[i], o);
          if (s > 0) {
            best = Math.min(best, s);
          }
        }
      }
      nearest[i] = Math.sqrt(best);
    }
    Arrays.sort(nearest);
    return new Resolution(
        nearest[nearest.length / 2],
        String.format(
            "the median distance from %d examples to their nearest of %d others",
            rows.length, among));
  }

  /**
   * Technique 2's ratio for {@code D} dimensions: the {@code gamma > 1} at which {@code
   * Phi(sqrt(2D)(gamma - 1) + 3 gamma) - Phi(sqrt(2D)(gamma - 1) - 3 gamma) = 1/2}; NaN when {@code
   * sqrt(2D) <= 3} (D below 5), where the left side stays above 1/2.
   */
  public static double levelRatio(int d) {
    double root = Math.sqrt(2.0 * d);
    if (root <= 3) {
      return Double.NaN;
    }
    double lo = 1;
    double hi = 2;
    while (overlap(hi, root) > 0.5) {
      hi *= 2;
    }
    for (int i = 0; i < 200 && hi - lo > 1e-13; i++) {
      double mid = (lo + hi) / 2;
      if (overlap(mid, root) > 0.5) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }

  private static double overlap(double gamma, double root) {
    double centre = root * (gamma - 1);
    return Normal.cdf(centre + 3 * gamma) - Normal.cdf(centre - 3 * gamma);
  }

  /**
   * Technique 4's step size for ratio {@code gamma}, {@code steps} Langevin steps per level and
   * smallest level {@code sigmaMin}: {@code eps = u sigma_min^2} with {@code u} in (0, 1)
   * minimising {@link #equationFour} (which is above 1 for every u; NCSNv2 asks for it "maximally
   * close to 1").
   */
  public static double stepSize(double gamma, int steps, double sigmaMin) {
    // golden-section search; the function is smooth with one minimum in (0, 1)
    double lo = 0;
    double hi = 1;
    double g = (Math.sqrt(5) - 1) / 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
      double a = hi - g * (hi - lo);
      double b = lo + g * (hi - lo);
      if (equationFour(a, gamma, steps) < equationFour(b, gamma, steps)) {
        hi = b;
      } else {
        lo = a;
      }
    }
    return (lo + hi) / 2 * sigmaMin * sigmaMin;
  }

  /**
   * The left side of NCSNv2's eq. 4, {@code (1 - eps/s^2)^(2T) (gamma^2 - 2 eps / (s^2 - s^2 (1 -
   * eps/s^2)^2)) + 2 eps / (s^2 - s^2 (1 - eps/s^2)^2)} with {@code s = sigma_L}, written in {@code
   * u = eps / s^2}, where it is {@code 2 / (2 - u) + (1 - u)^(2T) (gamma^2 - 2 / (2 - u))}: a
   * convex combination of two numbers above 1, so above 1 itself.
   */
  public static double equationFour(double u, double gamma, int steps) {
    double settled = 2 / (2 - u);
    return settled + Math.pow(1 - u, 2.0 * steps) * (gamma * gamma - settled);
  }

  private static double squaredDistance(float[] data, int d, int a, int b) {
    double s = 0;
    for (int j = 0; j < d; j++) {
      double diff = data[a * d + j] - data[b * d + j];
      s += diff * diff;
    }
    return s;
  }
}
