package io.scorestream.core.analytic;

import io.scorestream.core.sde.Sde;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A mixture of isotropic Gaussians {@code p(x) = sum_k w_k N(x; mu_k, s_k^2 I)} in D dimensions.
 * Under an SDE with kernel {@code N(m(t) x0, sigma(t)^2 I)} its perturbed density is again such a
 * mixture, with means {@code m(t) mu_k} and variances {@code m(t)^2 s_k^2 + sigma(t)^2}, so its
 * score is known exactly: {@code grad log p_t(x) = sum_k r_k(x) (m(t) mu_k - x) / v_k(t)} with
 * responsibilities r_k.
 *
 * @param weights mixture weights, K values summing to 1
 * @param means component means, K rows of D values
 * @param stds per-component isotropic standard deviations, K values
 */
public record GaussianMixture(double[] weights, double[][] means, double[] stds) {

  public GaussianMixture {
    int k = weights.length;
    if (k == 0 || means.length != k || stds.length != k) {
      throw new IllegalArgumentException(
          "a mixture needs K >= 1 weights, means and stds, got "
              + weights.length
              + ", "
              + means.length
              + ", "
              + stds.length);
    }
    double total = 0;
    for (int i = 0; i < k; i++) {
      if (!(weights[i] > 0)) {
        throw new IllegalArgumentException(
            "mixture weight " + i + " must be positive, got " + weights[i]);
      }
      if (!(stds[i] > 0)) {
        throw new IllegalArgumentException(
            "component std " + i + " must be positive, got " + stds[i]);
      }
      if (means[i].length != means[0].length || means[0].length == 0) {
        throw new IllegalArgumentException(
            "every mean needs the same positive number of dimensions");
      }
      total += weights[i];
    }
    if (Math.abs(total - 1) > 1e-6) {
      throw new IllegalArgumentException("mixture weights must sum to 1, got " + total);
    }
    weights = weights.clone();
    means = Arrays.stream(means).map(double[]::clone).toArray(double[][]::new);
    stds = stds.clone();
  }

  /** Number of components K. */
  public int components() {
    return weights.length;
  }

  /** Dimensions D. */
  public int dimension() {
    return means[0].length;
  }

  /** The mixture perturbed by the SDE's kernel at time t: p_t. */
  public GaussianMixture perturbed(Sde sde, double t) {
    double m = sde.meanCoefficient(t);
    double sigma = sde.marginalStd(t);
    double[][] mu = new double[components()][];
    double[] s = new double[components()];
    for (int k = 0; k < components(); k++) {
      mu[k] = means[k].clone();
      for (int d = 0; d < dimension(); d++) {
        mu[k][d] *= m;
      }
      s[k] = Math.sqrt(m * m * stds[k] * stds[k] + sigma * sigma);
    }
    return new GaussianMixture(weights, mu, s);
  }

  /** The same components with other weights (normalised here). */
  public GaussianMixture withWeights(double[] newWeights) {
    double total = 0;
    for (double w : newWeights) {
      total += w;
    }
    double[] w = new double[newWeights.length];
    for (int k = 0; k < w.length; k++) {
      w[k] = newWeights[k] / total;
    }
    return new GaussianMixture(w, means, stds);
  }

  /** Responsibilities {@code r_k(x)} of the components for one point. */
  public double[] responsibilities(double[] x) {
    double[] logits = componentLogDensities(x);
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (int k = 0; k < components(); k++) {
      logits[k] = Math.exp(logits[k] - max);
      sum += logits[k];
    }
    for (int k = 0; k < components(); k++) {
      logits[k] /= sum;
    }
    return logits;
  }

  /**
   * {@code log p(x)} at one point, in nats: the exact density the likelihood computations are
   * checked against.
   */
  public double logDensity(double[] x) {
    double[] logs = componentLogDensities(x);
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logs) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (double l : logs) {
      sum += Math.exp(l - max);
    }
    return max + Math.log(sum) - 0.5 * dimension() * Math.log(2 * Math.PI);
  }

  /**
   * {@code log w_k + log N(x; mu_k, s_k^2 I)} for each component, less the common {@code D/2 log 2
   * pi}.
   */
  private double[] componentLogDensities(double[] x) {
    int d = dimension();
    double[] logs = new double[components()];
    for (int k = 0; k < components(); k++) {
      double v = stds[k] * stds[k];
      double sq = 0;
      for (int j = 0; j < d; j++) {
        double diff = x[j] - means[k][j];
        sq += diff * diff;
      }
      logs[k] = Math.log(weights[k]) - 0.5 * d * Math.log(v) - sq / (2 * v);
    }
    return logs;
  }

  /** {@code grad log p(x)} at one point. */
  public double[] score(double[] x) {
    double[] r = responsibilities(x);
    double[] s = new double[dimension()];
    for (int k = 0; k < components(); k++) {
      double coef = r[k] / (stds[k] * stds[k]);
      for (int j = 0; j < s.length; j++) {
        s[j] += coef * (means[k][j] - x[j]);
      }
    }
    return s;
  }

  /** Index of the most responsible component for one point. */
  public int mode(double[] x) {
    double[] r = responsibilities(x);
    int best = 0;
    for (int k = 1; k < r.length; k++) {
      if (r[k] > r[best]) {
        best = k;
      }
    }
    return best;
  }

  /** n exact draws, {@code [n][D]}. */
  public double[][] sample(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] out = new double[n][dimension()];
    for (int i = 0; i < n; i++) {
      double u = random.nextDouble();
      int k = 0;
      double acc = weights[0];
      while (u > acc && k < components() - 1) {
        acc += weights[++k];
      }
      for (int j = 0; j < dimension(); j++) {
        out[i][j] = means[k][j] + stds[k] * random.nextGaussian();
      }
    }
    return out;
  }
}
