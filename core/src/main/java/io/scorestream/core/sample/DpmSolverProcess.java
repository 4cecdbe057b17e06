package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.LogSnr;
import io.scorestream.core.sde.Sde;

/**
 * DPM-Solver++, multistep, of order 1, 2 or 3 (Lu et al., "DPM-Solver++: Fast Solver for Guided
 * Sampling of Diffusion Probabilistic Models", arXiv 2211.01095, algorithm 2 and appendix), and its
 * stochastic variant SDE-DPM-Solver++ of order 1 or 2: exponential integrators of the
 * probability-flow ODE (or of the reverse SDE) in the half log-SNR {@code lambda = log(alpha /
 * sigma)}, driven by the data prediction {@code D = (x + sigma^2 s(x, t)) / alpha} that the served
 * score gives by Tweedie's formula. One formulation serves VP, sub-VP and VE, each through its own
 * {@code alpha_t} (mean coefficient) and {@code sigma_t} (kernel standard deviation).
 *
 * <p>Times {@code t_0 = T > t_1 > ... > t_N = eps} are uniform in lambda (or in t, or in sqrt(t)).
 * Each step evaluates the score once at {@code t_i} and moves to {@code t_(i+1)}; the first steps
 * use lower orders until enough earlier evaluations exist, and with fewer than 15 steps the last
 * step is of order 1 and the one before of order 2 at most (the reference's lower_order_final). The
 * optional final step returns D at eps (one more evaluation): NFE = N, or N + 1 with it.
 *
 * <p>Shapes: {@code samples * dimension} doubles in model space; the stochastic variant draws one
 * N(0, I) vector per step from the job's seeded generator, so a seed gives the same samples
 * whatever else shares the batch.
 */
final class DpmSolverProcess extends SamplingProcess {
  /** Below this many steps the last steps lower their order, as in the reference code. */
  static final int LOWER_ORDER_FINAL_BELOW = 15;

  private final int order;
  private final boolean stochastic;
  private final boolean denoise;
  private final int steps;
  private final double[] times;
  private final double[] alpha;
  private final double[] sigma;
  private final double[] lambda;
  private final GaussianNoise noise;
  private final double[] x;
  private final double[] z;
  private double[] d0;
  private double[] d1;
  private double[] d2;
  private ObservationPath observation;
  private int step;
  private boolean denoising;
  private boolean finished;

  /**
   * @param order 1, 2 or 3 (1 or 2 when stochastic)
   * @param stochastic SDE-DPM-Solver++ instead of the ODE solver
   * @param spacing how the N + 1 times are spaced
   * @param steps N, the solver's steps
   * @param denoise end with D at eps (one more evaluation)
   * @param latent the start {@code x(T)} ({@code samples * dimension}), or null for the prior
   */
  DpmSolverProcess(
      Sde sde,
      int order,
      boolean stochastic,
      TimeSpacing spacing,
      int steps,
      boolean denoise,
      int samples,
      int dimension,
      long[] labels,
      DataScaling scaling,
      long seed,
      double eps,
      double[] latent) {
    super(sde, samples, dimension, labels, scaling);
    if (order < 1 || order > (stochastic ? 2 : 3)) {
      throw new IllegalArgumentException(
          "DPM-Solver++ order must be 1 to " + (stochastic ? "2 when stochastic" : "3"));
    }
    if (steps < 1) {
      throw new IllegalArgumentException("DPM-Solver++ needs at least one step, got " + steps);
    }
    checkEps(sde, eps);
    this.order = order;
    this.stochastic = stochastic;
    this.denoise = denoise;
    this.steps = steps;
    this.times = times(sde, spacing, steps, eps);
    this.alpha = new double[steps + 1];
    this.sigma = new double[steps + 1];
    this.lambda = new double[steps + 1];
    for (int i = 0; i <= steps; i++) {
      alpha[i] = sde.meanCoefficient(times[i]);
      sigma[i] = sde.marginalStd(times[i]);
      lambda[i] = Math.log(alpha[i]) - Math.log(sigma[i]);
    }
    this.noise = new GaussianNoise(seed);
    this.x = start(sde, latent, samples, dimension, noise);
    this.z = stochastic ? new double[x.length] : null;
    setQuery(x, times[0]);
  }

  /**
   * Solves an inverse problem by imputation inside the solver's steps: the known part of the state
   * is replaced by the noised observation at the start and after every step, and the result's known
   * part is the observation itself (as the PC sampler's imputation does, Song et al. 2021, appendix
   * I.2). The data predictions of the multistep formula see the imputed states. Meant for the
   * stochastic variant, whose steps, like the reverse SDE's, forget the noise of the imputed
   * values; {@link Samplers#impute} refuses the deterministic one. Before the first evaluation.
   */
  void imputeAlong(ObservationPath path) {
    if (nfe() > 0) {
      throw new IllegalStateException("imputation starts before the first evaluation");
    }
    observation = path;
    path.impute(x, 1, dimension());
    setQuery(x, times[0]);
  }

  /** The N + 1 times from T down to eps. */
  static double[] times(Sde sde, TimeSpacing spacing, int steps, double eps) {
    double big = sde.horizon();
    double[] t = new double[steps + 1];
    double top = LogSnr.at(sde, big);
    double bottom = LogSnr.at(sde, eps);
    for (int i = 0; i <= steps; i++) {
      double u = (double) i / steps;
      t[i] =
          switch (spacing) {
            case LOG_SNR -> LogSnr.time(sde, top + u * (bottom - top), eps, big);
            case TIME_UNIFORM -> big + u * (eps - big);
            case TIME_QUADRATIC -> {
              double r = Math.sqrt(big) + u * (Math.sqrt(eps) - Math.sqrt(big));
              yield r * r;
            }
          };
    }
    t[0] = big;
    t[steps] = eps;
    return t;
  }

  @Override
  protected void advance(float[] score, int off) {
    int i = denoising ? steps : step;
    if (denoising) {
      dataPrediction(x, score, off, alpha[i], sigma[i], x);
      finish();
      return;
    }
    double[] oldest = d2 != null ? d2 : new double[x.length]; // three buffers turn round
    d2 = d1;
    d1 = d0;
    d0 = dataPrediction(x, score, off, alpha[i], sigma[i], oldest);
    move(orderAt(step));
    step++;
    if (observation != null) {
      observation.advanceTo(times[step]);
      observation.impute(x, 1, dimension());
    }
    if (step < steps) {
      setQuery(x, times[step]);
    } else if (denoise) {
      denoising = true;
      setQuery(x, times[steps]);
    } else {
      finish();
    }
  }

  /** Ends the job; an inverse problem's known part becomes the observation itself. */
  private void finish() {
    if (observation != null) {
      observation.advanceTo(0);
      observation.impute(x, 1, dimension());
    }
    finished = true;
  }

  /** The order step i may use: warm-up from 1, and the reference's lower orders at the end. */
  private int orderAt(int i) {
    int k = Math.min(order, i + 1);
    if (steps < LOWER_ORDER_FINAL_BELOW) {
      k = Math.min(k, steps - i);
    }
    return k;
  }

  /** One step from {@code t_step} to {@code t_(step+1)} of order k. */
  private void move(int k) {
    int s = step;
    int t = step + 1;
    double h = lambda[t] - lambda[s];
    double at = alpha[t];
    double phi = Math.expm1(-h); // e^(-h) - 1
    if (stochastic) {
      double keep = sigma[t] / sigma[s] * Math.exp(-h);
      double pull = -at * Math.expm1(-2 * h); // alpha_t (1 - e^(-2h))
      double spread = sigma[t] * Math.sqrt(-Math.expm1(-2 * h));
      double half = k == 2 ? 0.5 * pull / ratio(s, h) : 0;
      noise.fill(z);
      for (int j = 0; j < x.length; j++) {
        double dd = k == 2 ? d0[j] - d1[j] : 0;
        x[j] = keep * x[j] + pull * d0[j] + half * dd + spread * z[j];
      }
      return;
    }
    double keep = sigma[t] / sigma[s];
    if (k == 1) {
      for (int j = 0; j < x.length; j++) {
        x[j] = keep * x[j] - at * phi * d0[j];
      }
    } else if (k == 2) {
      double c = -0.5 * at * phi / ratio(s, h);
      for (int j = 0; j < x.length; j++) {
        x[j] = keep * x[j] - at * phi * d0[j] + c * (d0[j] - d1[j]);
      }
    } else {
      double r0 = ratio(s, h);
      double r1 = (lambda[s - 1] - lambda[s - 2]) / h;
      double c1 = at * (phi / h + 1);
      double c2 = -at * ((phi + h) / (h * h) - 0.5);
      for (int j = 0; j < x.length; j++) {
        double first0 = (d0[j] - d1[j]) / r0;
        double first1 = (d1[j] - d2[j]) / r1;
        double first = first0 + r0 / (r0 + r1) * (first0 - first1);
        double second = (first0 - first1) / (r0 + r1);
        x[j] = keep * x[j] - at * phi * d0[j] + c1 * first + c2 * second;
      }
    }
  }

  /** {@code r = h_prev / h}: the previous step's length in lambda over this one's. */
  private double ratio(int s, double h) {
    return (lambda[s] - lambda[s - 1]) / h;
  }

  @Override
  public StepProgress progress() {
    return new StepProgress(
        step,
        steps,
        denoising || finished ? times[steps] : times[step],
        nfe(),
        finished ? 1 : (double) step / (steps + (denoise ? 1 : 0)));
  }

  @Override
  protected boolean done() {
    return finished;
  }

  @Override
  protected double[] output() {
    return x;
  }
}
