package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The probability-flow likelihood of points of the analytic 3-component mixture against its exact
 * log-density at eps (the mixture is closed under the Gaussian perturbation), with the prior's
 * mismatch to the exact p_T added where each point lands: with the exact trace to within the solver
 * and finite-difference error, with Hutchinson probes to within the estimator's own standard error;
 * and the codes it finds decode back to the points.
 */
class LikelihoodTest {
  private static final OrtRuntime runtime = new OrtRuntime(1);
  private static final int N = 24;

  private static double[] points(long seed) {
    double[][] rows = TestMixtures.MIXTURE.sample(N, seed);
    double[] flat = new double[N * 2];
    for (int i = 0; i < N; i++) {
      flat[2 * i] = rows[i][0];
      flat[2 * i + 1] = rows[i][1];
    }
    return flat;
  }

  private static LikelihoodProcess run(
      ScoreModel model, double[] data, LikelihoodProcess.Probes probes, int k) {
    Sde sde = model.info().sde();
    LikelihoodProcess p =
        new LikelihoodProcess(
            sde, data, 2, null, DataScaling.IDENTITY, probes, k, 7, model.info().eps(), 1e-5, 1e-5);
    new BatchEvaluator(model, 1 << 20).runToCompletion(List.of(p), () -> {});
    assertNull(p.failure(), () -> p.failure().message());
    return p;
  }

  /** Exact log p_eps(x) plus (log prior(z) - log p_T(z)) at the code z the ODE carried x to. */
  private static double[] expected(Sde sde, double eps, double[] data, double[] latents) {
    GaussianMixture atEps = TestMixtures.MIXTURE.perturbed(sde, eps);
    GaussianMixture atT = TestMixtures.MIXTURE.perturbed(sde, sde.horizon());
    double[] out = new double[N];
    for (int i = 0; i < N; i++) {
      double[] x = {data[2 * i], data[2 * i + 1]};
      double[] z = {latents[2 * i], latents[2 * i + 1]};
      out[i] = atEps.logDensity(x) + sde.priorLogDensity(z, 0, 2) - atT.logDensity(z);
    }
    return out;
  }

  /**
   * RK45 at rtol = atol = 1e-5 takes 15 to 25 steps here, so the integral carries a few 1e-4 of
   * global error at most, and the central differences' relative error is of order (1e-3)^2: 2e-3
   * nats bounds both with room.
   */
  @ParameterizedTest
  @EnumSource(SdeKind.class)
  void exactTraceGivesTheMixturesLogDensity(SdeKind kind) {
    try (ScoreModel model = TestMixtures.model(runtime, kind)) {
      double[] data = points(11);
      LikelihoodProcess p = run(model, data, LikelihoodProcess.Probes.EXACT, 0);
      double[] ours = p.logLikelihood();
      double[] truth = expected(model.info().sde(), model.info().eps(), data, p.latents());
      for (int i = 0; i < N; i++) {
        assertEquals(truth[i], ours[i], 2e-3, "log-density of point " + i);
        assertEquals(0, p.standardErrors()[i]);
      }
    }
  }

  /**
   * Each estimate's error over its own standard error (16 probes) is a Student t with 15 degrees of
   * freedom: its square has mean 15/13 and variance 3.39, so the mean over 24 points lies within
   * 1.15 +- 4 x 0.38 (and above 0.2, or the standard errors would be overstated).
   */
  @ParameterizedTest
  @EnumSource(
      value = LikelihoodProcess.Probes.class,
      names = {"GAUSSIAN", "RADEMACHER"})
  void hutchinsonEstimateLiesWithinItsStandardError(LikelihoodProcess.Probes probes) {
    try (ScoreModel model = TestMixtures.model(runtime, SdeKind.VP)) {
      double[] data = points(12);
      LikelihoodProcess p = run(model, data, probes, 16);
      double[] ours = p.logLikelihood();
      double[] se = p.standardErrors();
      double[] truth = expected(model.info().sde(), model.info().eps(), data, p.latents());
      double z2 = 0;
      for (int i = 0; i < N; i++) {
        assertTrue(se[i] > 0, "a standard error for point " + i);
        double z = (ours[i] - truth[i]) / se[i];
        z2 += z * z;
      }
      double mean = z2 / N;
      assertTrue(mean > 0.2 && mean < 1.15 + 4 * 0.38, "mean squared standardised error " + mean);
    }
  }

  /**
   * Encoding runs the ODE forward to codes (those the likelihood's integration reaches too), and
   * decoding them with the ODE sampler from T back to eps returns the points within the solver's
   * tolerance.
   */
  @ParameterizedTest
  @EnumSource(SdeKind.class)
  void codesDecodeBackToTheirPoints(SdeKind kind) {
    try (ScoreModel model = TestMixtures.model(runtime, kind)) {
      double[] data = points(13);
      EncodingProcess encoder =
          new EncodingProcess(
              model.info().sde(),
              SamplerSpec.builder().kind(SamplerKind.ODE).build(),
              data,
              2,
              null,
              DataScaling.IDENTITY,
              model.info().eps());
      new BatchEvaluator(model, 1 << 20).runToCompletion(List.of(encoder), () -> {});
      assertNull(encoder.failure(), () -> encoder.failure().message());
      double[] codes = encoder.latents();
      double[] viaLikelihood = run(model, data, LikelihoodProcess.Probes.EXACT, 0).latents();
      for (int i = 0; i < codes.length; i++) {
        assertEquals(
            viaLikelihood[i], codes[i], 1e-2 * Math.max(1, Math.abs(codes[i])), "code value " + i);
      }
      SamplerSpec decode =
          SamplerSpec.builder().kind(SamplerKind.ODE).denoise(false).latent(codes).build();
      double[][] back = TestMixtures.run(model, decode, N, 1);
      for (int i = 0; i < N; i++) {
        assertEquals(data[2 * i], back[i][0], 2e-3, "x of point " + i);
        assertEquals(data[2 * i + 1], back[i][1], 2e-3, "y of point " + i);
      }
    }
  }

  @Test
  void refusesAnExactTraceOverManyDimensionsAndNoProbes() {
    Sde sde = TestMixtures.sde(SdeKind.VP);
    InvalidSettingException wide =
        assertThrows(
            InvalidSettingException.class,
            () ->
                new LikelihoodProcess(
                    sde,
                    new double[65],
                    65,
                    null,
                    DataScaling.IDENTITY,
                    LikelihoodProcess.Probes.EXACT,
                    0,
                    1,
                    1e-3,
                    1e-5,
                    1e-5));
    assertTrue(wide.getMessage().contains("at most 64"), wide.getMessage());
    InvalidSettingException one =
        assertThrows(
            InvalidSettingException.class,
            () ->
                new LikelihoodProcess(
                    sde,
                    new double[2],
                    2,
                    null,
                    DataScaling.IDENTITY,
                    LikelihoodProcess.Probes.GAUSSIAN,
                    0,
                    1,
                    1e-3,
                    1e-5,
                    1e-5));
    assertTrue(one.getMessage().contains("1 to 1024"), one.getMessage());
  }
}
