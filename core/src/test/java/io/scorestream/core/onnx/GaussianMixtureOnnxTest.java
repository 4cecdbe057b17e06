package io.scorestream.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelFormatException;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SubVpSde;
import io.scorestream.core.sde.VeSde;
import io.scorestream.core.sde.VpSde;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ONNX mixture graph computes the same perturbed score as the closed form in double precision.
 */
class GaussianMixtureOnnxTest {
  private final OrtRuntime runtime = new OrtRuntime(1);
  private static final GaussianMixture GMM =
      new GaussianMixture(
          new double[] {0.2, 0.5, 0.3},
          new double[][] {{1, -1, 0}, {-2, 0.5, 1}, {0, 3, -1}},
          new double[] {0.3, 0.8, 0.5});

  static Stream<Sde> sdes() {
    return Stream.of(new VeSde(0.01, 10, 1), new VpSde(0.1, 20, 1), new SubVpSde(0.1, 20, 1));
  }

  private static ModelInfo info(Sde sde, int dim) {
    return new ModelInfo(
        "gmm",
        "1",
        sde,
        sde.defaultEps(),
        new int[] {dim},
        DataScaling.IDENTITY,
        0,
        TimeInput.TIME,
        "",
        -1);
  }

  @ParameterizedTest
  @MethodSource("sdes")
  void onnxScoreMatchesClosedFormUnderEachSde(Sde sde) {
    int n = 200;
    SplittableRandom random = new SplittableRandom(3);
    float[] x = new float[n * 3];
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = (float) (sde.defaultEps() + random.nextDouble() * (1 - sde.defaultEps()));
      for (int j = 0; j < 3; j++) {
        x[i * 3 + j] =
            (float) (random.nextGaussian() * 3 * sde.marginalStd(t[i]) + random.nextGaussian());
      }
    }
    float[] out = new float[n * 3];
    try (ScoreModel model = runtime.load(GaussianMixtureOnnx.build(GMM, info(sde, 3)), "gmm")) {
      model.score(x, t, null, n, out);
    }
    for (int i = 0; i < n; i++) {
      double[] point = {x[i * 3], x[i * 3 + 1], x[i * 3 + 2]};
      double[] exact = GMM.perturbed(sde, t[i]).score(point);
      for (int j = 0; j < 3; j++) {
        double scale = Math.max(1, Math.abs(exact[j]));
        assertEquals(exact[j], out[i * 3 + j], 2e-4 * scale, "row " + i + " t=" + t[i]);
      }
    }
  }

  @Test
  void imageShapedMixtureTakesAndGivesImagesWithTheClosedFormScore() {
    int side = 8;
    int d = side * side;
    GaussianMixture glyphs = io.scorestream.core.analytic.Glyphs.mixture(side, 0.1);
    Sde sde = new VpSde(0.1, 20, 1);
    ModelInfo image =
        new ModelInfo(
            "glyphs",
            "1",
            sde,
            sde.defaultEps(),
            new int[] {1, side, side},
            DataScaling.CENTERED,
            0,
            TimeInput.TIME,
            "glyphs",
            -1);
    int n = 16;
    SplittableRandom random = new SplittableRandom(5);
    float[] x = new float[n * d];
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = (float) (0.05 + 0.9 * i / n);
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) random.nextGaussian();
      }
    }
    float[] out = new float[n * d];
    try (ScoreModel model = runtime.load(GaussianMixtureOnnx.build(glyphs, image), "glyphs")) {
      assertEquals(
          List.of(1, side, side), Arrays.stream(model.info().dataShape()).boxed().toList());
      model.score(x, t, null, n, out);
    }
    for (int i = 0; i < n; i++) {
      double[] point = new double[d];
      for (int j = 0; j < d; j++) {
        point[j] = x[i * d + j];
      }
      double[] exact = glyphs.perturbed(sde, t[i]).score(point);
      for (int j = 0; j < d; j++) {
        assertEquals(
            exact[j],
            out[i * d + j],
            2e-4 * Math.max(1, Math.abs(exact[j])),
            "row " + i + " pixel " + j);
      }
    }
  }

  @Test
  void glyphsAreEightDistinctImagesOfStrokesOnABackground() {
    GaussianMixture glyphs = io.scorestream.core.analytic.Glyphs.mixture(16, 0.1);
    assertEquals(8, glyphs.components());
    Set<String> distinct = new HashSet<>();
    for (double[] mean : glyphs.means()) {
      long strokes = Arrays.stream(mean).filter(v -> v == 1).count();
      assertEquals(256, strokes + Arrays.stream(mean).filter(v -> v == -1).count());
      org.junit.jupiter.api.Assertions.assertTrue(
          strokes >= 20 && strokes <= 200, "strokes " + strokes);
      distinct.add(Arrays.toString(mean));
    }
    assertEquals(8, distinct.size());
    assertThrows(
        IllegalArgumentException.class, () -> io.scorestream.core.analytic.Glyphs.mixture(3, 0.1));
  }

  @Test
  void modelWithoutRequiredMetadataIsRejectedNamingTheKey() {
    OnnxGraphBuilder g = new OnnxGraphBuilder("bare");
    String x = g.input("x", ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT, "N", 2);
    g.input("t", ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT, "N");
    g.output(g.op("Neg", x), "score", ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT, "N", 2);
    byte[] bytes = g.build(Map.of("scorestream.data.shape", "2"));
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> runtime.load(bytes, "bare"));
    assertEquals("model metadata lacks the required key 'scorestream.sde'", e.getMessage());
  }

  @Test
  void brokenBytesAreRejectedAsAModelFormatError() {
    ModelFormatException e =
        assertThrows(
            ModelFormatException.class, () -> runtime.load(new byte[] {1, 2, 3, 4}, "junk"));
    assertEquals(
        true, e.getMessage().startsWith("ONNX Runtime cannot load model junk"), e.getMessage());
  }
}
