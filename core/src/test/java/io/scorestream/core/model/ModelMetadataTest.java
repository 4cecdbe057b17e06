package io.scorestream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scorestream.core.sde.VeSde;
import io.scorestream.core.sde.VpSde;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelMetadataTest {

  private static Map<String, String> minimalVp() {
    Map<String, String> m = new HashMap<>();
    m.put("scorestream.sde", "vp");
    m.put("scorestream.sde.beta_min", "0.1");
    m.put("scorestream.sde.beta_max", "20");
    m.put("scorestream.data.shape", "1,28,28");
    return m;
  }

  @Test
  void missingOptionalKeysTakeReferenceDefaults() {
    ModelInfo info = ModelMetadata.parse(minimalVp(), "mnist");
    assertEquals("mnist", info.name());
    assertEquals(new VpSde(0.1, 20, 1), info.sde());
    assertEquals(1e-3, info.eps());
    assertArrayEquals(new int[] {1, 28, 28}, info.dataShape());
    assertEquals(DataScaling.IDENTITY, info.scaling());
    assertEquals(TimeInput.TIME, info.timeInput());
    assertEquals(0, info.numClasses());
    assertEquals(784, info.dimension());
  }

  @Test
  void labelsInTurnGiveEveryClassItsShareAndNoneToAnUnconditionalModel() {
    Map<String, String> m = minimalVp();
    assertEquals(null, ModelMetadata.parse(m, "x").labelsInTurn(5));
    m.put("scorestream.num_classes", "3");
    assertArrayEquals(new long[] {0, 1, 2, 0, 1}, ModelMetadata.parse(m, "x").labelsInTurn(5));
  }

  @Test
  void missingRequiredKeyIsNamed() {
    for (String key :
        new String[] {"scorestream.sde", "scorestream.sde.beta_max", "scorestream.data.shape"}) {
      Map<String, String> m = minimalVp();
      m.remove(key);
      ModelFormatException e =
          assertThrows(ModelFormatException.class, () -> ModelMetadata.parse(m, "x"));
      assertEquals("model metadata lacks the required key '" + key + "'", e.getMessage());
    }
  }

  @Test
  void malformedValueIsNamedWithItsKey() {
    Map<String, String> m = minimalVp();
    m.put("scorestream.data.shape", "1,x,28");
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> ModelMetadata.parse(m, "x"));
    assertEquals(
        true,
        e.getMessage().startsWith("model metadata key 'scorestream.data.shape' has a bad value"));
    m.put("scorestream.data.shape", "2");
    m.put("scorestream.sde", "ode");
    e = assertThrows(ModelFormatException.class, () -> ModelMetadata.parse(m, "x"));
    assertEquals(true, e.getMessage().contains("'scorestream.sde'"), e.getMessage());
  }

  @Test
  void describeAndParseRoundTripInPlainDecimal() {
    ModelInfo info =
        new ModelInfo(
            "mnist-unet",
            "12",
            new VeSde(0.01, 50, 1),
            1e-5,
            new int[] {1, 28, 28},
            DataScaling.CENTERED,
            10,
            TimeInput.SIGMA,
            "mnist",
            40000);
    Map<String, String> props = ModelMetadata.describe(info);
    assertEquals("0.00001", props.get("scorestream.sde.eps"));
    assertEquals("50", props.get("scorestream.sde.sigma_max"));
    assertEquals("1,28,28", props.get("scorestream.data.shape"));
    assertEquals(info, ModelMetadata.parse(props, "other"));
  }
}
