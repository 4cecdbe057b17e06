package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.GuidedScoreModel;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.core.sde.VpSde;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Classifier guidance against exact answers: with the mixture's components as classes, the exact noise-conditional
 * classifier is {@code p_t(k | x) = r_k(x)}, whose gradient is {@code s_k(x, t) - s(x, t)} (component k's perturbed
 * score less the mixture's), so guidance at scale 1 turns the mixture's score into component k's and the samples
 * must be draws of that one Gaussian ({@link MixtureCheck}).
 */
class GuidanceTest {
  static final int N = 2_000;

  /** The exact {@code grad_x log p_t(k | x)} of the test mixture's components, as a field like a score. */
  static final class ExactComponentClassifier implements ScoreModel {
    private final Sde sde;
    private final ModelInfo info;

    ExactComponentClassifier(Sde sde) {
      this.sde = sde;
      this.info = new ModelInfo("exact-classifier", "1", sde, sde.defaultEps(), new int[] {2}, DataScaling.IDENTITY,
          TestMixtures.MIXTURE.components(), TimeInput.TIME, "", -1);
    }

    @Override
    public ModelInfo info() {
      return info;
    }

    @Override
    public void score(float[] x, float[] t, long[] labels, int n, float[] out) {
      for (int i = 0; i < n; i++) {
        GaussianMixture p = TestMixtures.MIXTURE.perturbed(sde, t[i]);
        double[] point = {x[2 * i], x[2 * i + 1]};
        double[] mixture = p.score(point);
        int k = (int) labels[i];
        double v = p.stds()[k] * p.stds()[k];
        for (int d = 0; d < 2; d++) {
          out[2 * i + d] = (float) ((p.means()[k][d] - point[d]) / v - mixture[d]);
        }
      }
    }

    @Override
    public void close() {
      // nothing native
    }
  }

  @Test
  void guidanceAtScaleOneWithTheExactClassifierDrawsTheChosenComponent() {
    OrtRuntime runtime = new OrtRuntime(2, false, System.err::println);
    try (ScoreModel model = TestMixtures.model(runtime, SdeKind.VP)) {
      ScoreModel guided = new GuidedScoreModel(model, new ExactComponentClassifier(model.info().sde()), 1);
      for (int k : new int[] {1, 2}) {
        long[] labels = new long[N];
        java.util.Arrays.fill(labels, k);
        SamplingProcess p = Samplers.start(SamplerSpec.builder().build(), guided.info(), N, 30 + k, labels);
        new BatchEvaluator(guided, 1 << 20).runToCompletion(List.of(p), () -> { });
        GaussianMixture component = new GaussianMixture(new double[] {1},
            new double[][] {TestMixtures.MIXTURE.means()[k]}, new double[] {TestMixtures.MIXTURE.stds()[k]});
        new MixtureCheck(component).assertMatches(TestMixtures.rows(p.result(), 2), "guided to component " + k);
      }
    }
  }

  @Test
  void guidanceRefusesAClassifierOfOtherNoiseOrClasses() {
    OrtRuntime runtime = new OrtRuntime(1, false, System.err::println);
    try (ScoreModel model = TestMixtures.model(runtime, SdeKind.VP)) {
      ScoreModel otherNoise = new ExactComponentClassifier(new VpSde(0.1, 10, 1));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new GuidedScoreModel(model, otherNoise, 1));
      assertTrue(e.getMessage().contains("noise levels"), e.getMessage());
      ScoreModel exact = new ExactComponentClassifier(model.info().sde());
      assertThrows(IllegalArgumentException.class, () -> new GuidedScoreModel(model, exact, Double.NaN));
      GuidedScoreModel guided = new GuidedScoreModel(model, exact, 2);
      assertThrows(InvalidSettingException.class, () -> Samplers.check(SamplerSpec.builder().build(), guided.info(),
          4, null), "a guided model needs the classes to guide to");
    }
  }
}
