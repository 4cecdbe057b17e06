package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.GuidedScoreModel;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.core.sde.VpSde;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Classifier guidance against exact answers: with the mixture's components as classes, the exact
 * noise-conditional classifier is {@code p_t(k | x) = r_k(x)}, whose gradient is {@code s_k(x, t) -
 * s(x, t)} (component k's perturbed score less the mixture's), so guidance at scale 1 turns the
 * mixture's score into component k's and the samples must be draws of that one Gaussian ({@link
 * MixtureCheck}). The classifier is ONNX ({@link GaussianMixtureOnnx#classifier}) under ONNX
 * Runtime, as a trained one would be.
 */
@Tag("slow")
class GuidanceTest {
  static final int N = 2_000;

  private final OrtRuntime runtime = new OrtRuntime(2);

  /**
   * The exact classifier of the test mixture's components under {@code sde}, as an ONNX classifier
   * under ORT.
   */
  private ScoreModel exactClassifier(Sde sde) {
    ModelInfo info =
        new ModelInfo(
            "exact-classifier",
            "1",
            sde,
            sde.defaultEps(),
            new int[] {2},
            DataScaling.IDENTITY,
            TestMixtures.MIXTURE.components(),
            TimeInput.TIME,
            "",
            -1);
    return runtime.loadClassifier(
        GaussianMixtureOnnx.classifier(TestMixtures.MIXTURE, info), "exact-classifier");
  }

  /** {@code s_k(x, t) - s(x, t)} from the mixture's own formulas. */
  private static double[] reference(Sde sde, double t, double[] x, int k) {
    GaussianMixture p = TestMixtures.MIXTURE.perturbed(sde, t);
    double[] mixture = p.score(x);
    double v = p.stds()[k] * p.stds()[k];
    return new double[] {
      (p.means()[k][0] - x[0]) / v - mixture[0], (p.means()[k][1] - x[1]) / v - mixture[1]
    };
  }

  @Test
  void theExactClassifierGraphComputesComponentScoreLessMixtureScore() {
    Sde sde = TestMixtures.sde(SdeKind.VP);
    try (ScoreModel classifier = exactClassifier(sde)) {
      SplittableRandom random = new SplittableRandom(4);
      int n = 50;
      float[] x = new float[2 * n];
      float[] t = new float[n];
      long[] y = new long[n];
      for (int i = 0; i < n; i++) {
        x[2 * i] = (float) (3 * random.nextGaussian());
        x[2 * i + 1] = (float) (3 * random.nextGaussian());
        t[i] = (float) (0.01 + 0.99 * random.nextDouble());
        y[i] = random.nextInt(3);
      }
      float[] grad = new float[2 * n];
      classifier.score(x, t, y, n, grad);
      for (int i = 0; i < n; i++) {
        double[] want = reference(sde, t[i], new double[] {x[2 * i], x[2 * i + 1]}, (int) y[i]);
        for (int j = 0; j < 2; j++) {
          org.junit.jupiter.api.Assertions.assertEquals(
              want[j],
              grad[2 * i + j],
              1e-4 * (1 + Math.abs(want[j])),
              "row " + i + " coordinate " + j);
        }
      }
    }
  }

  /** The reference PC sampler, and DPM-Solver++(2M) in 31 evaluations: guidance is in the score. */
  static List<SamplerSpec> samplers() {
    return List.of(
        SamplerSpec.builder().build(), SamplerSpec.builder().kind(SamplerKind.DPM_SOLVER).build());
  }

  @ParameterizedTest
  @MethodSource("samplers")
  void guidanceAtScaleOneWithTheExactClassifierDrawsTheChosenComponent(SamplerSpec spec) {
    try (ScoreModel model = TestMixtures.model(runtime, SdeKind.VP);
        ScoreModel classifier = exactClassifier(model.info().sde())) {
      ScoreModel guided = new GuidedScoreModel(model, classifier, 1);
      for (int k : new int[] {1, 2}) {
        long[] labels = new long[N];
        Arrays.fill(labels, k);
        SamplingProcess p = Samplers.start(spec, guided.info(), N, 30 + k, labels);
        new BatchEvaluator(guided, 1 << 20).runToCompletion(List.of(p), () -> {});
        GaussianMixture component =
            new GaussianMixture(
                new double[] {1},
                new double[][] {TestMixtures.MIXTURE.means()[k]},
                new double[] {TestMixtures.MIXTURE.stds()[k]});
        new MixtureCheck(component)
            .assertMatches(TestMixtures.rows(p.result(), 2), "guided to component " + k);
      }
    }
  }

  @Test
  void guidanceRefusesAClassifierOfOtherNoiseOrClasses() {
    try (ScoreModel model = TestMixtures.model(runtime, SdeKind.VP);
        ScoreModel otherNoise = exactClassifier(new VpSde(0.1, 10, 1));
        ScoreModel exact = exactClassifier(model.info().sde())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> new GuidedScoreModel(model, otherNoise, 1));
      assertTrue(e.getMessage().contains("noise levels"), e.getMessage());
      assertThrows(
          IllegalArgumentException.class, () -> new GuidedScoreModel(model, exact, Double.NaN));
      GuidedScoreModel guided = new GuidedScoreModel(model, exact, 2);
      assertThrows(
          InvalidSettingException.class,
          () -> Samplers.check(SamplerSpec.builder().build(), guided.info(), 4, null),
          "a guided model needs the classes to guide to");
    }
  }
}
