package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.SdeKind;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Inverse problems on the exact test mixture: given a linear measurement {@code a . x = y} of a
 * mixture of isotropic Gaussians, the coordinate along {@code v}, orthogonal to {@code a}, is again
 * a mixture: components {@code N(v . mu_k, s_k^2)} with weights proportional to {@code w_k N(y; a .
 * mu_k, s_k^2 |a|^2)}. The imputation sampler with particles must draw from it ({@link
 * MixtureCheck}'s weights and sliced W1, from the sample size) and keep the measurement exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("slow")
class ImputationTest {
  static final int N = 2_000;

  /**
   * The particle filter's bias falls as the particles grow: on the linear measurement below the
   * weight of the smaller mode (exact 0.234) came out 0.33 with plain replacement (one particle),
   * 0.24-0.26 with 16 and 0.235-0.24 with 64 (4,000 samples, 500 steps, exact score in numpy and
   * through ONNX here), against a standard error of 0.007.
   */
  static final int PARTICLES = 64;

  private final OrtRuntime runtime = new OrtRuntime(2);
  private ScoreModel model;

  @BeforeAll
  void load() {
    model = TestMixtures.model(runtime, SdeKind.VP);
  }

  @AfterAll
  void close() {
    model.close();
  }

  /**
   * The exact law of {@code v . x} given {@code a . x = y}, v and a orthogonal, v a unit vector.
   */
  static GaussianMixture conditional(GaussianMixture m, double[] a, double[] v, double y) {
    int k = m.components();
    double aa = a[0] * a[0] + a[1] * a[1];
    double[] logW = new double[k];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < k; c++) {
      double mean = a[0] * m.means()[c][0] + a[1] * m.means()[c][1];
      double var = m.stds()[c] * m.stds()[c] * aa;
      logW[c] =
          Math.log(m.weights()[c]) - (y - mean) * (y - mean) / (2 * var) - 0.5 * Math.log(var);
      max = Math.max(max, logW[c]);
    }
    double total = 0;
    double[] w = new double[k];
    for (int c = 0; c < k; c++) {
      w[c] = Math.max(Math.exp(logW[c] - max), 1e-300);
      total += w[c];
    }
    double[][] means = new double[k][1];
    for (int c = 0; c < k; c++) {
      w[c] /= total;
      means[c][0] = v[0] * m.means()[c][0] + v[1] * m.means()[c][1];
    }
    return new GaussianMixture(w, means, m.stds());
  }

  private double[][] run(LinearMeasurement measurement, int particles, long seed) {
    SamplerSpec spec = SamplerSpec.builder().corrector(CorrectorKind.NONE).steps(500).build();
    SamplingProcess p =
        Samplers.impute(spec, model.info(), measurement, particles, seed, null, PcSchedules.none());
    new BatchEvaluator(model, 1 << 20).runToCompletion(List.of(p), () -> {});
    if (p.failure() != null) {
      throw new AssertionError(p.failure().message());
    }
    return TestMixtures.rows(p.result(), 2);
  }

  private static double[][] along(double[][] x, double[] v) {
    double[][] out = new double[x.length][1];
    for (int i = 0; i < x.length; i++) {
      out[i][0] = v[0] * x[i][0] + v[1] * x[i][1];
    }
    return out;
  }

  @Test
  void inpaintingOneCoordinateDrawsTheExactConditionalMixture() {
    float known = 0.25f;
    LinearMeasurement m =
        LinearMeasurement.mask(
            N, 2, new float[] {0, 1}, new float[] {0, known}, DataScaling.IDENTITY);
    double[][] x = run(m, PARTICLES, 21);
    for (double[] row : x) {
      assertEquals(known, (float) row[1], "the known coordinate is kept exactly");
    }
    GaussianMixture exact =
        conditional(TestMixtures.MIXTURE, new double[] {0, 1}, new double[] {1, 0}, known);
    new MixtureCheck(exact).assertMatches(along(x, new double[] {1, 0}), "x1 given x2 = 0.25");
  }

  @Test
  void aGeneralLinearMeasurementDrawsTheExactConditionalMixture() {
    double[] a = {0.5, 1};
    double y = 0.3;
    LinearMeasurement m =
        LinearMeasurement.channelMixing(
            N, 2, new double[][] {a}, null, new float[] {(float) y}, DataScaling.IDENTITY);
    double norm = Math.hypot(1, 0.5);
    double[] v = {1 / norm, -0.5 / norm};
    double[][] x = run(m, PARTICLES, 22);
    for (double[] row : x) {
      assertEquals(
          y, a[0] * row[0] + a[1] * row[1], 1e-6, "the measurement holds for every sample");
    }
    GaussianMixture exact = conditional(TestMixtures.MIXTURE, a, v, y);
    new MixtureCheck(exact).assertMatches(along(x, v), "x . v given 0.5 x1 + x2 = 0.3");
  }

  @Test
  void samplesWithDifferentMasksKeepTheirOwnKnownValues() {
    float[] mask = {1, 0, 0, 1, 0, 0};
    float[] known = {-1.5f, 9, 9, 2.75f, 9, 9};
    LinearMeasurement m = LinearMeasurement.mask(3, 2, mask, known, DataScaling.IDENTITY);
    double[][] x = run(m, 4, 5);
    assertEquals(-1.5f, (float) x[0][0]);
    assertEquals(2.75f, (float) x[1][1]);
    assertTrue(
        Math.abs(x[2][0] - 9) > 1 && Math.abs(x[2][1] - 9) > 1, "nothing of sample 2 is known");
  }

  @Test
  void channelMixingKeepsTheGreyLevelAndLeavesTheOtherColoursFree() {
    // three channels of two pixels, channel-first: r0 r1 g0 g1 b0 b1; grey = mean of the channels,
    // data in [0, 1]
    double third = 1.0 / 3;
    LinearMeasurement m =
        LinearMeasurement.channelMixing(
            1,
            6,
            new double[][] {{third, third, third}},
            new float[] {1, 0},
            new float[] {0.6f, 0.1f},
            DataScaling.CENTERED);
    double[] x = {0.9, -0.2, 0.1, 0.4, -0.7, 0.3};
    double[] before = x.clone();
    double[] target = new double[m.valuesPerSample()];
    for (int g = 0; g < 2; g++) {
      target[g] = m.observation(0, g, 0);
    }
    m.impute(0, x, 0, target, 0);
    double grey = ((x[0] + x[2] + x[4]) / 3 + 1) / 2;
    assertEquals(0.6, grey, 1e-6, "pixel 0's grey level in data space is the observed one");
    assertEquals(before[0] - before[2], x[0] - x[2], 1e-12, "colour differences are untouched");
    assertEquals(before[2] - before[4], x[2] - x[4], 1e-12, "colour differences are untouched");
    assertEquals(before[1], x[1], 0, "pixel 1 is not observed");
    assertEquals(before[5], x[5], 0, "pixel 1 is not observed");
  }

  /**
   * Imputation inside SDE-DPM-Solver++(2M) at 31 evaluations against the PC sampler's at 500, both
   * with one particle: the same mode weights (replacement's known bias, the same on both, within a
   * two-sample test of 3 standard errors) and the exact conditional's shape within each mode
   * ({@link MixtureCheck}'s sliced W1 bound given the weights); the known value is kept exactly.
   * The deterministic solver's steps carry the imputed noise to the end (its sliced W1 was 0.086
   * against a bound of 0.052), so it is refused, as are particles.
   */
  @Test
  void stochasticDpmSolverImputesIn31EvaluationsWhatThePcSamplerImputesIn500() {
    int n = 2 * N;
    float known = 0.25f;
    LinearMeasurement m =
        LinearMeasurement.mask(
            n, 2, new float[] {0, 1}, new float[] {0, known}, DataScaling.IDENTITY);
    SamplerSpec dpm = SamplerSpec.builder().kind(SamplerKind.DPM_SOLVER).stochastic(true).build();
    SamplingProcess fast = Samplers.impute(dpm, model.info(), m, 1, 31, null, PcSchedules.none());
    new BatchEvaluator(model, 1 << 20).runToCompletion(List.of(fast), () -> {});
    assertEquals(31, fast.nfe());
    double[][] x = TestMixtures.rows(fast.result(), 2);
    for (double[] row : x) {
      assertEquals(known, (float) row[1], "the known coordinate is kept exactly");
    }
    SamplerSpec pc = SamplerSpec.builder().corrector(CorrectorKind.NONE).steps(500).build();
    SamplingProcess reference =
        Samplers.impute(pc, model.info(), m, 1, 32, null, PcSchedules.none());
    new BatchEvaluator(model, 1 << 20).runToCompletion(List.of(reference), () -> {});
    double[] v = {1, 0};
    MixtureCheck exact =
        new MixtureCheck(conditional(TestMixtures.MIXTURE, new double[] {0, 1}, v, known));
    double[][] mine = along(x, v);
    double[] f = exact.fractions(mine);
    double[] g = exact.fractions(along(TestMixtures.rows(reference.result(), 2), v));
    for (int k = 0; k < f.length; k++) {
      double q = (f[k] + g[k]) / 2;
      double tolerance = 3 * Math.sqrt(q * (1 - q) * 2 / n);
      assertTrue(
          Math.abs(f[k] - g[k]) <= tolerance,
          "mode " + k + ": " + f[k] + " against PC's " + g[k] + " (3 SE " + tolerance + ")");
    }
    double sw = exact.sw(mine);
    assertTrue(sw <= exact.swBound(f, n), "sliced W1 given the weights " + sw);

    SamplerSpec deterministic = SamplerSpec.builder().kind(SamplerKind.DPM_SOLVER).build();
    assertEquals(
        "stochastic",
        assertThrows(
                InvalidSettingException.class,
                () -> Samplers.checkImputation(deterministic, model.info(), n, 2, 1, null))
            .setting());
    assertEquals(
        "particles",
        assertThrows(
                InvalidSettingException.class,
                () -> Samplers.checkImputation(dpm, model.info(), n, 2, 4, null))
            .setting());
  }

  @Test
  void badMeasurementsAreRefusedNamingTheField() {
    DataScaling id = DataScaling.IDENTITY;
    assertEquals(
        "mask",
        assertThrows(
                InvalidSettingException.class,
                () -> LinearMeasurement.mask(2, 2, new float[] {0.5f, 1}, new float[] {0, 0}, id))
            .setting());
    assertEquals(
        "mask",
        assertThrows(
                InvalidSettingException.class,
                () -> LinearMeasurement.mask(2, 2, new float[] {1, 1, 1}, new float[] {0, 0}, id))
            .setting());
    assertEquals(
        "known",
        assertThrows(
                InvalidSettingException.class,
                () ->
                    LinearMeasurement.mask(
                        2, 2, new float[] {1, 0}, new float[] {Float.NaN, 0}, id))
            .setting());
    assertEquals(
        "known",
        assertThrows(
                InvalidSettingException.class,
                () -> LinearMeasurement.mask(2, 2, new float[] {1, 0}, new float[] {0, 0, 0}, id))
            .setting());
    assertEquals(
        "matrix",
        assertThrows(
                InvalidSettingException.class,
                () ->
                    LinearMeasurement.channelMixing(
                        1, 2, new double[][] {{1, 2}, {2, 4}}, null, new float[] {0, 0}, id))
            .setting());
    assertEquals(
        "matrix",
        assertThrows(
                InvalidSettingException.class,
                () ->
                    LinearMeasurement.channelMixing(
                        1, 4, new double[][] {{1, 1, 1}}, null, new float[] {0}, id))
            .setting());
    ModelInfo info = model.info();
    LinearMeasurement ok = LinearMeasurement.mask(1, 2, new float[] {1, 0}, new float[] {0, 0}, id);
    SamplerSpec pc = SamplerSpec.builder().build();
    assertEquals(
        "kind",
        assertThrows(
                InvalidSettingException.class,
                () ->
                    Samplers.impute(
                        SamplerSpec.builder().kind(SamplerKind.ODE).build(),
                        info,
                        ok,
                        1,
                        1,
                        null,
                        PcSchedules.none()))
            .setting());
    assertEquals(
        "particles",
        assertThrows(
                InvalidSettingException.class,
                () -> Samplers.impute(pc, info, ok, 0, 1, null, PcSchedules.none()))
            .setting());
    assertEquals(
        "particles",
        assertThrows(
                InvalidSettingException.class,
                () ->
                    Samplers.impute(
                        pc, info, ok, Samplers.MAX_PARTICLES + 1, 1, null, PcSchedules.none()))
            .setting());
    LinearMeasurement wide =
        LinearMeasurement.mask(1, 3, new float[] {1, 0, 0}, new float[] {0, 0, 0}, id);
    assertEquals(
        "measurement",
        assertThrows(
                InvalidSettingException.class,
                () -> Samplers.impute(pc, info, wide, 1, 1, null, PcSchedules.none()))
            .setting());
  }
}
