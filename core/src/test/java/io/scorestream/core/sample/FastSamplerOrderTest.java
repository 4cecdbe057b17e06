package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.LogSnr;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.core.sde.SubVpSde;
import io.scorestream.core.sde.VeSde;
import io.scorestream.core.sde.VpSde;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fast samplers' order of accuracy (DPM-Solver++, EDM's Heun) against the one target whose
 * probability-flow ODE has an exact solution, a single Gaussian N(mu, s^2 I): its perturbed
 * marginal at t is N(alpha_t mu, (alpha_t^2 s^2 + sigma_t^2) I), the exact score is {@code -(x -
 * alpha_t mu) / (alpha_t^2 s^2 + sigma_t^2)}, and the ODE maps x(T) to {@code alpha_t mu +
 * sqrt(alpha_t^2 s^2 + sigma_t^2) / sqrt(alpha_T^2 s^2 + sigma_T^2) (x(T) - alpha_T mu)}. Doubling
 * the steps should divide the error at eps by 2^order (Lu et al. 2022: order k for the k-th order
 * multistep method).
 */
class FastSamplerOrderTest {
  private static final double[] MU = {1.0, -2.0};
  private static final double S = 0.5;
  private static final double[] START = {0.3, -1.1, 1.7, 0.4, -0.8, -2.2};

  static Sde sde(SdeKind kind) {
    return switch (kind) {
      case VE -> new VeSde(0.01, 50, 1);
      case VP -> new VpSde(0.1, 20, 1);
      case SUBVP -> new SubVpSde(0.1, 20, 1);
    };
  }

  /** Largest distance at eps between DPM-Solver++'s samples and the exact ODE's, same x(T). */
  static double error(Sde sde, int order, int steps) {
    return error(
        sde,
        latent ->
            new DpmSolverProcess(
                sde,
                order,
                false,
                TimeSpacing.LOG_SNR,
                steps,
                false,
                3,
                2,
                null,
                DataScaling.IDENTITY,
                1,
                EPS,
                latent));
  }

  static final double EPS = 1e-3;

  /**
   * Largest distance at {@link #EPS} between a sampler's results, started at a fixed x(T) and fed
   * the exact score, and the exact probability-flow ODE's.
   */
  static double error(Sde sde, Function<double[], SamplingProcess> start) {
    double eps = EPS;
    double[] latent = START.clone();
    for (int i = 0; i < latent.length; i++) {
      latent[i] *= sde.priorStd();
    }
    SamplingProcess p = start.apply(latent);
    float[] score = new float[6];
    while (!p.finished()) {
      double t = p.queryTime();
      double a = sde.meanCoefficient(t);
      double var = a * a * S * S + sde.marginalStd(t) * sde.marginalStd(t);
      float[] q = p.queryPoints();
      for (int i = 0; i < q.length; i++) {
        score[i] = (float) (-(q[i] - a * MU[i % 2]) / var);
      }
      p.supply(score, 0);
    }
    float[] out = p.result();
    double big = sde.horizon();
    double aT = sde.meanCoefficient(big);
    double sT = Math.sqrt(aT * aT * S * S + Math.pow(sde.marginalStd(big), 2));
    double ae = sde.meanCoefficient(eps);
    double se = Math.sqrt(ae * ae * S * S + Math.pow(sde.marginalStd(eps), 2));
    double worst = 0;
    for (int i = 0; i < out.length; i++) {
      double exact = ae * MU[i % 2] + se / sT * (latent[i] - aT * MU[i % 2]);
      worst = Math.max(worst, Math.abs(out[i] - exact));
    }
    return worst;
  }

  private static double observedOrder(Sde sde, int order) {
    return Math.log(error(sde, order, 40) / error(sde, order, 80)) / Math.log(2);
  }

  @ParameterizedTest(name = "order {0} under {1}")
  @CsvSource({"1, VP", "2, VP", "1, VE", "2, VE", "1, SUBVP", "2, SUBVP"})
  void doublingTheStepsDividesTheErrorByTwoToTheOrder(int order, SdeKind kind) {
    double observed = observedOrder(sde(kind), order);
    assertTrue(observed > order - 0.2 && observed < order + 0.3, "observed order " + observed);
  }

  /**
   * The third-order multistep method starts with a first- and a second-order step (it has no
   * earlier evaluations yet), whose local errors cap the global order at 2, as in the reference
   * code; what the third order buys is the constant: at 80 steps its error is less than half the
   * second-order method's.
   */
  @ParameterizedTest
  @EnumSource(SdeKind.class)
  void thirdOrderIsSecondOrderAfterItsWarmUpWithLessThanHalfTheError(SdeKind kind) {
    Sde sde = sde(kind);
    double observed = observedOrder(sde, 3);
    assertTrue(observed > 1.8 && observed < 3.3, "observed order " + observed);
    double third = error(sde, 3, 80);
    double second = error(sde, 2, 80);
    assertTrue(third < second / 2, "3M " + third + " against 2M " + second);
  }

  @ParameterizedTest
  @EnumSource(SdeKind.class)
  void dpmSolverTakesOneEvaluationAStep(SdeKind kind) {
    DpmSolverProcess p =
        new DpmSolverProcess(
            sde(kind),
            2,
            false,
            TimeSpacing.LOG_SNR,
            12,
            true,
            3,
            2,
            null,
            DataScaling.IDENTITY,
            1,
            EPS,
            null);
    float[] zero = new float[6];
    while (!p.finished()) {
      p.supply(zero, 0);
    }
    assertEquals(13, p.nfe(), "12 steps and the final denoising");
  }

  /**
   * EDM's Heun sampler (Karras et al. 2022) is second order in its steps: doubling the levels
   * divides the error by about 4.
   */
  @ParameterizedTest
  @EnumSource(SdeKind.class)
  void edmHeunIsSecondOrder(SdeKind kind) {
    Sde sde = sde(kind);
    double coarse = error(sde, latent -> edm(sde, 41, latent));
    double fine = error(sde, latent -> edm(sde, 81, latent));
    double observed = Math.log(coarse / fine) / Math.log(2);
    assertTrue(observed > 1.8 && observed < 2.5, "observed order " + observed);
  }

  private static EdmProcess edm(Sde sde, int levels, double[] latent) {
    return new EdmProcess(sde, levels, 0, false, 3, 2, null, DataScaling.IDENTITY, 1, EPS, latent);
  }

  @ParameterizedTest
  @EnumSource(SdeKind.class)
  void logSnrTimesAreUniformInLambdaAndInvertIt(SdeKind kind) {
    Sde sde = sde(kind);
    double[] t = DpmSolverProcess.times(sde, TimeSpacing.LOG_SNR, 10, 1e-3);
    assertEquals(1.0, t[0]);
    assertEquals(1e-3, t[10]);
    double step = LogSnr.at(sde, t[1]) - LogSnr.at(sde, t[0]);
    for (int i = 1; i < 10; i++) {
      assertEquals(step, LogSnr.at(sde, t[i + 1]) - LogSnr.at(sde, t[i]), 1e-9, "step " + i);
    }
  }
}
