package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.Sde;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The log-likelihood of data under a score model through the probability-flow ODE and the
 * instantaneous change of variables (Song et al. 2021, section 4.3 and appendix D.2; Chen et al.
 * 2018): integrating {@code dx/dt = f~(x, t)} from eps to T together with {@code d delta/dt = div
 * f~(x, t)} gives {@code log p_eps(x) = log p_T(x(T)) + delta(T)}, with the prior standing in for
 * {@code p_T}. The divergence {@code d c(t) - g(t)^2 / 2 div s} needs the trace of the score's
 * Jacobian, which an ONNX model cannot differentiate: each Jacobian-vector product is a central
 * finite difference {@code (s(x + h v) - s(x - h v)) / 2h}, with {@code h = 1e-3 sqrt(m(t)^2 +
 * sigma(t)^2)} (the data's scale at t in model space), so every derivative is one batched model
 * call of {@code n (1 + 2K)} rows. The trace is exact over the K = D unit vectors, or the
 * Hutchinson–Skilling estimate {@code v' J v} over K Gaussian or Rademacher probes drawn once per
 * example and kept along the path, as the reference code does; each probe carries its own integral,
 * so every example gets its estimate's standard error from the spread over its probes.
 *
 * <p>Units: natural logarithms of densities in model space (the space the network sees). Shapes:
 * {@code data} holds {@code n} rows of {@code D} values; the results are one value per row. The
 * integrator is scipy's RK45 with the given tolerances, over the whole augmented state, as the
 * reference's {@code get_likelihood_fn}.
 */
public final class LikelihoodProcess extends SamplingProcess {
  /** How the trace of the score's Jacobian is taken. */
  public enum Probes {
    EXACT,
    GAUSSIAN,
    RADEMACHER
  }

  /** The largest dimension for the exact trace (2 D extra rows per example and evaluation). */
  public static final int MAX_EXACT_DIMENSION = 64;

  private final Sde sde;
  private final int n;
  private final int dim;
  private final int probes;
  private final boolean exact;
  private final double[][] directions;
  private final OdeIntegrator integrator;
  private final double[] derivative;
  private final double[] x;
  private boolean finished;

  /**
   * @param data rows in model space, {@code [n * dimension]}
   * @param labels one class per row for a class-conditional model, or null
   * @param kind the trace: exact, or Hutchinson with Gaussian or Rademacher probes
   * @param count probes per example (ignored for the exact trace, which takes D)
   */
  public LikelihoodProcess(
      Sde sde,
      double[] data,
      int dimension,
      long[] labels,
      DataScaling scaling,
      Probes kind,
      int count,
      long seed,
      double eps,
      double rtol,
      double atol) {
    super(
        sde,
        rows(data, dimension, kind, count),
        dimension,
        repeat(labels, 1 + 2 * probeCount(dimension, kind, count)),
        scaling);
    this.sde = sde;
    this.n = data.length / dimension;
    this.dim = dimension;
    this.exact = kind == Probes.EXACT;
    this.probes = probeCount(dimension, kind, count);
    checkEps(sde, eps);
    directions = new double[probes][n * dim];
    SplittableRandom random = new SplittableRandom(seed);
    for (int k = 0; k < probes; k++) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < dim; j++) {
          directions[k][i * dim + j] =
              switch (kind) {
                case EXACT -> j == k ? 1 : 0;
                case GAUSSIAN -> random.nextGaussian();
                case RADEMACHER -> random.nextBoolean() ? 1 : -1;
              };
        }
      }
    }
    double[] start = new double[n * dim + n * probes];
    System.arraycopy(data, 0, start, 0, data.length);
    integrator =
        new OdeIntegrator(ButcherTableau.DORMAND_PRINCE, start, eps, sde.horizon(), 1, rtol, atol);
    derivative = new double[start.length];
    x = new double[n * dim];
    query();
  }

  private static int probeCount(int dimension, Probes kind, int count) {
    if (kind == Probes.EXACT) {
      if (dimension > MAX_EXACT_DIMENSION) {
        throw new InvalidSettingException(
            "probes",
            "the exact trace is for data of at most "
                + MAX_EXACT_DIMENSION
                + " dimensions (it scores 2 D extra points per example); this data has "
                + dimension
                + ": use Hutchinson probes");
      }
      return dimension;
    }
    if (count < 1 || count > 1024) {
      throw new InvalidSettingException(
          "probes",
          "Hutchinson probes per example must be 1 to 1024 (two or more"
              + " give each example a standard error), got "
              + count);
    }
    return count;
  }

  private static int rows(double[] data, int dimension, Probes kind, int count) {
    return Math.multiplyExact(
        EncodingProcess.rows(data, dimension), 1 + 2 * probeCount(dimension, kind, count));
  }

  private static long[] repeat(long[] labels, int times) {
    if (labels == null) {
      return null;
    }
    long[] out = new long[labels.length * times];
    for (int r = 0; r < times; r++) {
      System.arraycopy(labels, 0, out, r * labels.length, labels.length);
    }
    return out;
  }

  /** Finite-difference step at time t, in model space. */
  private double step(double t) {
    double m = sde.meanCoefficient(t);
    double s = sde.marginalStd(t);
    return 1e-3 * Math.sqrt(m * m + s * s);
  }

  /** Sets the query: the points, then for each probe the points plus and minus h times it. */
  private void query() {
    double[] y = integrator.point();
    double t = integrator.time();
    double h = step(t);
    int size = n * dim;
    double[] q = new double[size * (1 + 2 * probes)];
    System.arraycopy(y, 0, q, 0, size);
    for (int k = 0; k < probes; k++) {
      double[] v = directions[k];
      int plus = size * (1 + 2 * k);
      int minus = plus + size;
      for (int i = 0; i < size; i++) {
        q[plus + i] = y[i] + h * v[i];
        q[minus + i] = y[i] - h * v[i];
      }
    }
    setQuery(q, t);
  }

  @Override
  protected void advance(float[] score, int off) {
    if (finished) {
      throw new IllegalStateException("the likelihood has been computed");
    }
    double[] y = integrator.point();
    double t = integrator.time();
    int size = n * dim;
    System.arraycopy(
        y, 0, x, 0, size); // the data part of the state, whose drift fills derivative[0, size)
    OdeProcess.drift(sde, x, t, score, off, derivative);
    double c = sde.driftCoefficient(t);
    double g = sde.diffusion(t);
    double half = 0.5 * g * g; // the divergence of that drift: D c - g^2/2 tr(ds/dx)
    double h = step(t);
    for (int k = 0; k < probes; k++) {
      double[] v = directions[k];
      int plus = off + size * (1 + 2 * k);
      int minus = plus + size;
      for (int e = 0; e < n; e++) {
        double vjv = 0;
        for (int j = e * dim; j < (e + 1) * dim; j++) {
          vjv += v[j] * ((double) score[plus + j] - score[minus + j]);
        }
        vjv /= 2 * h;
        // exact: the divergence's share of unit vector k; Hutchinson: one probe's whole estimate of
        // it
        double share = exact ? c - half * vjv : dim * c - half * vjv;
        derivative[size + e * probes + k] = share;
      }
    }
    integrator.supply(derivative);
    if (integrator.failure() != null) {
      fail(integrator.failure());
    } else if (integrator.done()) {
      finished = true;
    } else {
      query();
    }
  }

  /** Log-density of each row in model space, nats, {@code [n]}: the mean over its probes. */
  public double[] logLikelihood() {
    requireFinished();
    double[] y = integrator.state();
    double[] out = new double[n];
    for (int e = 0; e < n; e++) {
      out[e] = sde.priorLogDensity(y, e * dim, dim) + delta(y, e);
    }
    return out;
  }

  /**
   * The standard error of each row's estimate over its probes, nats, {@code [n]}: zero for the
   * exact trace (whose error is the solver's and the finite differences', not a sampling error),
   * NaN for a single probe.
   */
  public double[] standardErrors() {
    requireFinished();
    double[] y = integrator.state();
    double[] out = new double[n];
    if (exact) {
      return out;
    }
    if (probes == 1) {
      Arrays.fill(out, Double.NaN);
      return out;
    }
    int base = n * dim;
    for (int e = 0; e < n; e++) {
      double mean = delta(y, e);
      double ss = 0;
      for (int k = 0; k < probes; k++) {
        double d = y[base + e * probes + k] - mean;
        ss += d * d;
      }
      out[e] = Math.sqrt(ss / (probes - 1) / probes);
    }
    return out;
  }

  /** The rows carried to T: their latent codes, model space, {@code [n * dimension]}. */
  public double[] latents() {
    requireFinished();
    return Arrays.copyOf(integrator.state(), n * dim);
  }

  /** The number of examples. */
  public int examples() {
    return n;
  }

  private double delta(double[] y, int e) {
    int base = n * dim + e * probes;
    double sum = 0;
    for (int k = 0; k < probes; k++) {
      sum += y[base + k];
    }
    return exact ? sum : sum / probes;
  }

  private void requireFinished() {
    if (!finished) {
      throw new IllegalStateException(
          failure() != null ? failure().message() : "the likelihood is not computed yet");
    }
  }

  @Override
  public StepProgress progress() {
    return new StepProgress(
        integrator.acceptedSteps(),
        -1,
        integrator.t(),
        nfe(),
        finished ? 1 : integrator.fraction());
  }

  @Override
  protected boolean done() {
    return finished;
  }

  /**
   * The query points, whose last value is the latent codes and their probes' neighbours, in model
   * space.
   */
  @Override
  protected double[] output() {
    double[] q = new double[queryPoints().length];
    float[] f = queryPoints();
    for (int i = 0; i < q.length; i++) {
      q[i] = f[i];
    }
    return q;
  }
}
