package io.scorestream.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.onnx.OnnxMetadata;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.VeSde;
import io.scorestream.proto.v1.SamplerKind;
import io.scorestream.proto.v1.SamplerSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A model's recommended ALD settings fill what a request leaves unset, and nothing else. */
class ModelSamplerDefaultsTest {
  private static final Map<String, String> RECOMMENDS =
      Map.of(
          ModelMetadata.ALD_LEVELS, "37",
          ModelMetadata.ALD_STEPS, "5",
          ModelMetadata.ALD_STEP_LR, "6.2e-6");

  @Test
  void anAldRequestTakesTheModelsLevelsStepsAndStepSizeWhereItGivesNone() {
    SamplerSettings ald = SamplerSettings.newBuilder().setKind(SamplerKind.ALD).build();
    SamplerSettings filled = ModelSamplerDefaults.fill(ald, RECOMMENDS);
    assertEquals(37, filled.getLevels());
    assertEquals(5, filled.getSteps());
    assertEquals(6.2e-6, filled.getStepLr());
    SamplerSettings given = ald.toBuilder().setLevels(12).setSteps(3).setStepLr(1e-5).build();
    assertEquals(given, ModelSamplerDefaults.fill(given, RECOMMENDS), "the request's own win");
  }

  @Test
  void otherSamplersAndModelsWithoutRecommendationsAreLeftAlone() {
    SamplerSettings pc = SamplerSettings.newBuilder().setSteps(100).build();
    assertSame(pc, ModelSamplerDefaults.fill(pc, RECOMMENDS));
    SamplerSettings ald = SamplerSettings.newBuilder().setKind(SamplerKind.ALD).build();
    assertEquals(ald, ModelSamplerDefaults.fill(ald, Map.of()));
    assertEquals(
        ald,
        ModelSamplerDefaults.fill(
            ald, Map.of(ModelMetadata.ALD_LEVELS, "-3", ModelMetadata.ALD_STEP_LR, "x")),
        "values that do not parse leave the sampler's own defaults");
  }

  @Test
  void aLoadedModelCarriesItsRecommendations() {
    VeSde ve = new VeSde(0.01, 5, 1);
    byte[] onnx =
        GaussianMixtureOnnx.build(
            new GaussianMixture(new double[] {1}, new double[][] {{0, 0}}, new double[] {1}),
            new ModelInfo(
                "ve",
                "1",
                ve,
                ve.defaultEps(),
                new int[] {2},
                DataScaling.IDENTITY,
                0,
                TimeInput.TIME,
                "",
                -1));
    try (ScoreModel model = new OrtRuntime(1).load(OnnxMetadata.with(onnx, RECOMMENDS), "ve")) {
      assertEquals("37", model.metadata().get(ModelMetadata.ALD_LEVELS));
      assertEquals("ve", model.metadata().get(ModelMetadata.NAME));
    }
  }
}
