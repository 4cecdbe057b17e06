package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.LinearStep;
import io.scorestream.core.sde.Sde;

/**
 * Probability-flow ODE sampling, {@code dx/dt = f(x, t) - g(t)^2 s(x, t) / 2} from T to eps (Song
 * et al. 2021, section 4.3), with a fixed-step Runge–Kutta method or adaptive Dormand–Prince RK45.
 * The adaptive controller is scipy's {@code solve_ivp(method="RK45")}, which the reference code
 * calls: RMS error norm over this job's whole state with scale {@code atol + rtol max(|y|,
 * |y_new|)}, safety 0.9, factors in [0.2, 10], scipy's initial step. State is kept in double
 * precision; the model is called in float32. An optional final step applies the reverse-diffusion
 * predictor's mean at eps (the reference's {@code denoise}).
 */
final class OdeProcess extends SamplingProcess {
  /** Discretisation used by the final denoising step, the reference code's default N. */
  static final int DENOISE_GRID = 1000;

  private final Sde sde;
  private final SamplerSpec spec;
  private final double eps;
  private final OdeIntegrator integrator;
  private final double[] derivative;
  private double[] y;
  private boolean denoising;
  private boolean finished;

  OdeProcess(
      Sde sde,
      SamplerSpec spec,
      int samples,
      int dimension,
      long[] labels,
      DataScaling scaling,
      long seed,
      double eps) {
    super(sde, samples, dimension, labels, scaling);
    this.sde = sde;
    this.spec = spec;
    this.eps = eps;
    checkEps(sde, eps);
    int size = samples * dimension;
    double[] start = start(sde, spec.latent(), samples, dimension, new GaussianNoise(seed));
    integrator =
        new OdeIntegrator(
            ButcherTableau.of(spec.odeMethod()),
            start,
            sde.horizon(),
            eps,
            spec.steps(),
            spec.rtol(),
            spec.atol());
    derivative = new double[size];
    y = integrator.state();
    setQuery(integrator.point(), integrator.time());
  }

  /**
   * Probability-flow drift {@code f(x, t) - g(t)^2 s / 2} at (x, time) given its score, into out.
   */
  static void drift(Sde sde, double[] x, double time, float[] score, int off, double[] out) {
    double c = sde.driftCoefficient(time);
    double g = sde.diffusion(time);
    double half = 0.5 * g * g;
    for (int i = 0; i < x.length; i++) {
      out[i] = c * x[i] - half * score[off + i];
    }
  }

  @Override
  protected void advance(float[] score, int off) {
    if (finished) {
      throw new IllegalStateException("ODE already finished");
    }
    if (denoising) {
      denoise(score, off);
      return;
    }
    drift(sde, integrator.point(), integrator.time(), score, off, derivative);
    integrator.supply(derivative);
    if (integrator.failure() != null) {
      fail(integrator.failure());
    } else if (integrator.done()) {
      y = integrator.state();
      if (spec.denoise()) {
        denoising = true;
        setQuery(y, eps);
      } else {
        finished = true;
      }
    } else {
      setQuery(integrator.point(), integrator.time());
    }
  }

  private void denoise(float[] score, int off) {
    LinearStep step = sde.discretise(eps, DENOISE_GRID);
    double g2 = step.g() * step.g();
    for (int i = 0; i < y.length; i++) {
      y[i] = y[i] - step.driftFactor() * y[i] + g2 * score[off + i];
    }
    finished = true;
  }

  @Override
  public StepProgress progress() {
    return new StepProgress(
        integrator.acceptedSteps(),
        integrator.adaptive() ? -1 : spec.steps(),
        integrator.t(),
        nfe(),
        finished ? 1 : integrator.fraction());
  }

  @Override
  protected boolean done() {
    return finished;
  }

  @Override
  protected double[] output() {
    return y;
  }
}
