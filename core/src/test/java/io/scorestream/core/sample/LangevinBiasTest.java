package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Error versus bias in the Langevin corrector. At step size eps the unadjusted Langevin chain
 * {@code x <- x + eps s(x) + sqrt(2 eps) z} on a Gaussian of variance v has stationary variance
 * {@code v / (1 - eps / (2 v))}, not v: a bias that no number of steps removes. With the reference
 * step size {@code eps = 2 (snr mean|z| / mean|s|)^2} and well-separated isotropic components,
 * {@code mean|z| / mean|s| = 1 / sum_k (w_k / s_k)} in any dimension where |z| and |x - mu| share a
 * law, so the corrector alone at the reference snr 0.16 inflates each component's variance by a
 * predictable factor, well above the sampling error at this sample size. The factor tends to 1 as
 * snr falls, which is why the accuracy tests ({@link SamplerAccuracyTest}) run the correctors at
 * small snr against the tight bounds.
 *
 * <p>Standard errors: a component with n_k assigned samples gives 2 n_k squared deviations (two
 * coordinates) of a Gaussian, so its variance estimate has relative standard error {@code 1 /
 * sqrt(n_k)}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("slow")
class LangevinBiasTest {
  private static final int N = 40_000;
  private final OrtRuntime runtime = new OrtRuntime(2);
  private final ScoreModel model = TestMixtures.model(runtime, SdeKind.VE);
  private final Sde sde = TestMixtures.sde(SdeKind.VE);

  /** p_eps: the mixture the corrector targets at the last time. */
  private final GaussianMixture target = TestMixtures.MIXTURE.perturbed(sde, sde.defaultEps());

  @AfterAll
  void close() {
    model.close();
  }

  /**
   * The corrector alone over 20 times; the last noisy state, since the final mean x + eps s shrinks
   * it.
   */
  private double[][] correctorOnly(double snr, int stepsPerTime) {
    SamplerSpec spec =
        SamplerSpec.builder()
            .predictor(PredictorKind.NONE)
            .corrector(CorrectorKind.LANGEVIN)
            .snr(snr)
            .steps(20)
            .correctorSteps(stepsPerTime)
            .denoise(false)
            .build();
    return TestMixtures.run(model, spec, N, 77);
  }

  /**
   * Per-component variance (pooled over coordinates) of the samples nearest each of the two
   * wide-apart modes.
   */
  private double[][] componentVariances(double[][] x) {
    double[][] out = new double[2][2];
    for (int k = 0; k < 2; k++) {
      double sum = 0;
      int count = 0;
      for (double[] p : x) {
        if (target.mode(p) == k) {
          for (int j = 0; j < 2; j++) {
            double d = p[j] - target.means()[k][j];
            sum += d * d;
          }
          count++;
        }
      }
      out[k][0] = sum / (2.0 * count);
      out[k][1] = count;
    }
    return out;
  }

  /**
   * The ULA variance factor for each component with the reference step size, solved to a fixed
   * point.
   */
  private double[] predictedInflation(double snr) {
    int k = target.components();
    double[] factor = new double[k];
    Arrays.fill(factor, 1);
    for (int iter = 0; iter < 50; iter++) {
      double sum = 0;
      for (int c = 0; c < k; c++) {
        sum += target.weights()[c] / (target.stds()[c] * Math.sqrt(factor[c]));
      }
      double eps = 2 * snr * snr / (sum * sum);
      for (int c = 0; c < k; c++) {
        double v = target.stds()[c] * target.stds()[c];
        factor[c] = 1 / (1 - eps / (2 * v));
      }
    }
    return factor;
  }

  @Test
  void referenceSnrInflatesComponentVariancesAsUnadjustedLangevinPredicts() {
    double[][] measured = componentVariances(correctorOnly(0.16, 50));
    double[] predicted = predictedInflation(0.16);
    for (int k = 0; k < 2; k++) {
      double v = target.stds()[k] * target.stds()[k];
      double ratio = measured[k][0] / v;
      double se = 1 / Math.sqrt(measured[k][1]);
      int c = k;
      assertTrue(
          ratio - 1 > 3 * se,
          () ->
              "component "
                  + c
                  + ": variance ratio "
                  + ratio
                  + " shows no bias beyond 3 SE ("
                  + se
                  + ")");
      assertEquals(predicted[k], ratio, 3 * se, "component " + k + " against the ULA prediction");
    }
  }
}
