package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.Sde;
import java.util.Arrays;

/**
 * Encodes data to latent codes by running the probability-flow ODE forward, from eps to T (Song et
 * al. 2021, section 4.3: the ODE is a bijection, so the codes identify the data and the ODE sampler
 * started from them, {@link SamplerSpec#latent()}, decodes them back). The integration is {@link
 * OdeIntegrator}'s, with the solver and tolerances of the spec; the state is double. Shapes: {@code
 * data} and {@link #latents()} are {@code n} rows of {@code D} values in model space.
 */
public final class EncodingProcess extends SamplingProcess {
  private final Sde sde;
  private final OdeIntegrator integrator;
  private final double[] derivative;
  private final int steps;
  private boolean finished;

  /**
   * @param data rows in model space, {@code [n * dimension]}
   * @param spec the ODE solver ({@code odeMethod}, {@code steps} for a fixed-step one, {@code
   *     rtol}, {@code atol})
   */
  public EncodingProcess(
      Sde sde,
      SamplerSpec spec,
      double[] data,
      int dimension,
      long[] labels,
      DataScaling scaling,
      double eps) {
    super(sde, rows(data, dimension), dimension, labels, scaling);
    checkEps(sde, eps);
    this.sde = sde;
    this.steps = spec.steps();
    integrator =
        new OdeIntegrator(
            ButcherTableau.of(spec.odeMethod()),
            data,
            eps,
            sde.horizon(),
            spec.steps(),
            spec.rtol(),
            spec.atol());
    derivative = new double[data.length];
    setQuery(integrator.point(), integrator.time());
  }

  /**
   * The rows of {@code data}, refused unless it is whole finite rows of {@code dimension} values.
   */
  static int rows(double[] data, int dimension) {
    if (dimension <= 0 || data.length == 0 || data.length % dimension != 0) {
      throw new IllegalArgumentException(
          "data of " + data.length + " values is not rows of " + dimension);
    }
    for (int i = 0; i < data.length; i++) {
      if (!Double.isFinite(data[i])) {
        throw new IllegalArgumentException("data value " + i + " is " + data[i]);
      }
    }
    return data.length / dimension;
  }

  @Override
  protected void advance(float[] score, int off) {
    if (finished) {
      throw new IllegalStateException("the codes have been computed");
    }
    OdeProcess.drift(sde, integrator.point(), integrator.time(), score, off, derivative);
    integrator.supply(derivative);
    if (integrator.failure() != null) {
      fail(integrator.failure());
    } else if (integrator.done()) {
      finished = true;
    } else {
      setQuery(integrator.point(), integrator.time());
    }
  }

  /** The latent codes at T, model space, {@code [n * dimension]}. */
  public double[] latents() {
    if (!finished) {
      throw new IllegalStateException(
          failure() != null ? failure().message() : "the codes are not computed yet");
    }
    return Arrays.copyOf(integrator.state(), integrator.state().length);
  }

  @Override
  public StepProgress progress() {
    return new StepProgress(
        integrator.acceptedSteps(),
        integrator.adaptive() ? -1 : steps,
        integrator.t(),
        nfe(),
        finished ? 1 : integrator.fraction());
  }

  @Override
  protected boolean done() {
    return finished;
  }

  /**
   * The codes (model space); {@link #result()} would map them as if they were data, so read {@link
   * #latents()}.
   */
  @Override
  protected double[] output() {
    return integrator.state();
  }
}
