package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.stats.SlicedWasserstein;
import java.util.SplittableRandom;

/**
 * Statistical comparison of a sample with an exactly known mixture, with tolerances derived from
 * the sample size n alone.
 *
 * <p>Mode weights: each point goes to its most responsible component; the expected fraction q_k of
 * exact draws in each region comes from M = 1,000,000 exact draws, and the observed fraction must
 * lie within 3 standard errors: {@code 3 sqrt(q(1-q)/n) + 3 sqrt(q(1-q)/M)}.
 *
 * <p>Shape, given the weights: the sample is compared by sliced W1 with the mixture re-weighted by
 * the observed fractions w^ (the weights are checked above), so the bound need not absorb label
 * noise. For n exact draws: (1) given the labels, the draws of component k are n_k i.i.d. Gaussians
 * and W1 is convex in mixtures, so {@code E SW <= sum_k w^_k J_k / sqrt(n_k) = sum_k sqrt(w^_k) J_k
 * / sqrt(n)} with {@code J_k} the Bobkov–Ledoux constant of component k (see {@link
 * SlicedWasserstein}); (2) given the labels, SW is {@code s_max / sqrt(n)}-Lipschitz in the stacked
 * standard normals, so Gaussian concentration puts it above its mean by more than {@code s_max
 * sqrt(2 ln(1/delta) / n)} with probability at most delta = 1e-3; (3) fractions come from
 * nearest-mode assignment, not labels: a fraction m of exact draws is misassigned (measured on the
 * M reference draws), and re-weighting by a total-variation distance tv moves W1 by at most {@code
 * tv Delta}, {@code Delta = max_jk |mu_j - mu_k| + |s_j - s_k| sqrt(2/pi)}; tv is at most {@code m
 * + 3 sqrt(m / n)}.
 */
final class MixtureCheck {
  static final double DELTA = 1e-3;
  private static final int REFERENCE_DRAWS = 1_000_000;

  private final GaussianMixture target;
  private final double[] expectedFractions;
  private final double misassigned;
  private final double[] componentJ;
  private final double[][] directions;

  MixtureCheck(GaussianMixture target) {
    this.target = target;
    this.directions = SlicedWasserstein.directions(64, target.dimension(), 7);
    int k = target.components();
    double[] counts = new double[k];
    int wrong = 0;
    SplittableRandom random = new SplittableRandom(11);
    double[] x = new double[target.dimension()];
    for (int i = 0; i < REFERENCE_DRAWS; i++) {
      int label = draw(random, x);
      int mode = target.mode(x);
      counts[mode]++;
      wrong += mode == label ? 0 : 1;
    }
    expectedFractions = new double[k];
    for (int c = 0; c < k; c++) {
      expectedFractions[c] = counts[c] / REFERENCE_DRAWS;
    }
    misassigned = (double) wrong / REFERENCE_DRAWS;
    componentJ = new double[k];
    for (int c = 0; c < k; c++) {
      componentJ[c] = SlicedWasserstein.expectedBound(single(c), directions, 1);
    }
  }

  private GaussianMixture single(int c) {
    return new GaussianMixture(
        new double[] {1}, new double[][] {target.means()[c]}, new double[] {target.stds()[c]});
  }

  private int draw(SplittableRandom random, double[] x) {
    double u = random.nextDouble();
    int k = 0;
    double acc = target.weights()[0];
    while (u > acc && k < target.components() - 1) {
      acc += target.weights()[++k];
    }
    for (int j = 0; j < x.length; j++) {
      x[j] = target.means()[k][j] + target.stds()[k] * random.nextGaussian();
    }
    return k;
  }

  double[] fractions(double[][] samples) {
    double[] f = new double[target.components()];
    for (double[] x : samples) {
      f[target.mode(x)]++;
    }
    for (int k = 0; k < f.length; k++) {
      f[k] /= samples.length;
    }
    return f;
  }

  /**
   * The bound exact draws of size n with observed fractions w^ stay under with probability 1 -
   * delta.
   */
  double swBound(double[] observed, int n) {
    double sMax = 0;
    double spread = 0;
    double expected = 0;
    for (int j = 0; j < target.components(); j++) {
      sMax = Math.max(sMax, target.stds()[j]);
      expected += Math.sqrt(observed[j]) * componentJ[j] / Math.sqrt(n);
      for (int k = 0; k < target.components(); k++) {
        double dist = 0;
        for (int d = 0; d < target.dimension(); d++) {
          double e = target.means()[j][d] - target.means()[k][d];
          dist += e * e;
        }
        spread =
            Math.max(
                spread,
                Math.sqrt(dist)
                    + Math.abs(target.stds()[j] - target.stds()[k]) * Math.sqrt(2 / Math.PI));
      }
    }
    return expected
        + sMax * Math.sqrt(2 * Math.log(1 / DELTA) / n)
        + spread * (misassigned + 3 * Math.sqrt(misassigned / n));
  }

  /** Sliced W1 between the sample and the mixture re-weighted by the sample's mode fractions. */
  double sw(double[][] samples) {
    return SlicedWasserstein.distance(samples, reweighted(fractions(samples)), directions);
  }

  private GaussianMixture reweighted(double[] observed) {
    double[] w = observed.clone();
    for (int k = 0; k < w.length; k++) {
      w[k] = Math.max(w[k], 1e-12);
    }
    return target.withWeights(w);
  }

  /** Asserts both the mode weights and the sliced Wasserstein bound. */
  void assertMatches(double[][] samples, String what) {
    int n = samples.length;
    double[] observed = fractions(samples);
    for (int k = 0; k < observed.length; k++) {
      double q = expectedFractions[k];
      double tolerance =
          3 * Math.sqrt(q * (1 - q) / n) + 3 * Math.sqrt(q * (1 - q) / REFERENCE_DRAWS);
      int component = k;
      assertTrue(
          Math.abs(observed[k] - q) <= tolerance,
          () ->
              what
                  + ": mode "
                  + component
                  + " weight "
                  + observed[component]
                  + " vs "
                  + q
                  + " (3 SE = "
                  + tolerance
                  + ")");
    }
    double sw = sw(samples);
    double bound = swBound(observed, n);
    assertTrue(
        sw <= bound, () -> what + ": sliced W1 " + sw + " above the sampling bound " + bound);
  }
}
