package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The denoised preview is Tweedie's posterior mean. For one Gaussian {@code N(mu, s0^2 I)} it is
 * known in closed form: {@code E[x0 | x_t] = mu + m s0^2 / (m^2 s0^2 + sigma^2) (x_t - m mu)}, so
 * each preview is checked against that at the point the sampler last asked to have scored, for
 * every SDE and sampler family.
 */
class DenoisedPreviewTest {
  private static final double[] MU = {1.5, -2.0};
  private static final double S0 = 0.3;
  private static final GaussianMixture ONE_GAUSSIAN =
      new GaussianMixture(new double[] {1}, new double[][] {MU}, new double[] {S0});

  static Stream<Arguments> samplers() {
    return Stream.of(
        Arguments.of(SdeKind.VE, SamplerSpec.builder().steps(40).build()),
        Arguments.of(SdeKind.VP, SamplerSpec.builder().steps(40).build()),
        Arguments.of(
            SdeKind.SUBVP,
            SamplerSpec.builder().steps(40).predictor(PredictorKind.ANCESTRAL).build()),
        Arguments.of(
            SdeKind.VP,
            SamplerSpec.builder().kind(SamplerKind.ODE).odeMethod(OdeMethod.RK4).steps(20).build()),
        Arguments.of(SdeKind.VE, SamplerSpec.builder().kind(SamplerKind.ALD).steps(5).build()));
  }

  @ParameterizedTest
  @MethodSource("samplers")
  void denoisedPreviewIsThePosteriorMeanAtTheLastScoredPoint(SdeKind kind, SamplerSpec spec) {
    Sde sde = TestMixtures.sde(kind);
    ModelInfo info =
        new ModelInfo(
            "one-gaussian",
            "1",
            sde,
            sde.defaultEps(),
            new int[] {2},
            DataScaling.IDENTITY,
            0,
            TimeInput.TIME,
            "",
            -1);
    int samples = 8;
    SamplingProcess p = Samplers.start(spec, info, samples, 7, null);
    p.keepDenoisedEstimate();
    assertArrayEquals(
        p.preview(), p.denoisedPreview(), "before any evaluation the estimate is the current x");

    float[] score = new float[samples * 2];
    int checked = 0;
    while (!p.finished()) {
      double t = p.queryTime();
      float[] x = p.queryPoints().clone();
      GaussianMixture perturbed = ONE_GAUSSIAN.perturbed(sde, t);
      for (int i = 0; i < samples; i++) {
        double[] s = perturbed.score(new double[] {x[2 * i], x[2 * i + 1]});
        score[2 * i] = (float) s[0];
        score[2 * i + 1] = (float) s[1];
      }
      p.supply(score, 0);
      float[] denoised = p.denoisedPreview();
      double m = sde.meanCoefficient(t);
      double var = sde.marginalStd(t) * sde.marginalStd(t);
      double gain = m * S0 * S0 / (m * m * S0 * S0 + var);
      for (int i = 0; i < samples * 2; i++) {
        double expected = MU[i % 2] + gain * (x[i] - m * MU[i % 2]);
        // inputs are float32 (relative error 2^-24 each); dividing by m scales their absolute error
        double tolerance =
            4
                * Math.ulp(1f)
                * ((Math.abs(x[i]) + var * Math.abs(score[i])) / m + Math.abs(expected));
        assertEquals(expected, denoised[i], tolerance, "t=" + t + " element " + i);
      }
      checked++;
    }
    assertEquals(p.nfe(), checked);
  }

  @Test
  void denoisedPreviewMustBeAskedForBeforeSampling() {
    Sde sde = TestMixtures.sde(SdeKind.VP);
    ModelInfo info =
        new ModelInfo(
            "one-gaussian",
            "1",
            sde,
            sde.defaultEps(),
            new int[] {2},
            DataScaling.IDENTITY,
            0,
            TimeInput.TIME,
            "",
            -1);
    SamplingProcess p = Samplers.start(SamplerSpec.builder().steps(10).build(), info, 1, 1, null);
    assertThrows(IllegalStateException.class, p::denoisedPreview);
  }
}
