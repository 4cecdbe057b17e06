package io.scorestream.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.scorestream.core.model.ModelFormatException;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Loading models that follow, or break, the contract: class input y, image shapes, growing batches.
 */
class OrtScoreModelTest {
  private final OrtRuntime runtime = new OrtRuntime(1);

  private static Map<String, String> veMetadata(String shape) {
    Map<String, String> m = new HashMap<>();
    m.put("scorestream.sde", "ve");
    m.put("scorestream.sde.sigma_min", "0.01");
    m.put("scorestream.sde.sigma_max", "50");
    m.put("scorestream.data.shape", shape);
    return m;
  }

  /**
   * score = -x + y (the label added to every value): a conditional model whose output shows the
   * label.
   */
  private static byte[] conditional(Map<String, String> metadata) {
    OnnxGraphBuilder g = new OnnxGraphBuilder("cond");
    String x = g.input("x", DataType.FLOAT, "N", 2);
    g.input("t", DataType.FLOAT, "N");
    String y = g.input("y", DataType.INT64, "N");
    String label =
        g.op(
            "Unsqueeze",
            g.op(
                "Cast",
                new OnnxGraphBuilder.Attr[] {
                  OnnxGraphBuilder.Attr.ints("to", DataType.FLOAT.getNumber())
                },
                y),
            g.longs(1));
    g.output(g.op("Add", g.op("Neg", x), label), "score", DataType.FLOAT, "N", 2);
    return g.build(metadata);
  }

  @Test
  void classConditionalModelReceivesEachRowsLabel() {
    Map<String, String> metadata = veMetadata("2");
    metadata.put("scorestream.num_classes", "10");
    try (ScoreModel model = runtime.load(conditional(metadata), "cond")) {
      assertEquals(10, model.info().numClasses());
      float[] out = new float[6];
      model.score(
          new float[] {1, 2, 3, 4, 5, 6},
          new float[] {0.5f, 0.5f, 0.5f},
          new long[] {0, 7, 9},
          3,
          out);
      assertArrayEquals(new float[] {-1, -2, 4, 3, 4, 3}, out);
    }
  }

  @Test
  void classInputWithoutDeclaredClassesIsRejected() {
    ModelFormatException e =
        assertThrows(
            ModelFormatException.class, () -> runtime.load(conditional(veMetadata("2")), "cond"));
    assertTrue(e.getMessage().contains("lacks 'scorestream.num_classes'"), e.getMessage());
  }

  @Test
  void imageShapedModelServesGrowingBatchesFromReusedBuffers() {
    OnnxGraphBuilder g = new OnnxGraphBuilder("neg");
    String x = g.input("x", DataType.FLOAT, "N", 1, 4, 4);
    g.input("t", DataType.FLOAT, "N");
    g.output(g.op("Neg", x), "score", DataType.FLOAT, "N", 1, 4, 4);
    try (ScoreModel model = runtime.load(g.build(veMetadata("1,4,4")), "neg")) {
      assertTrue(model.info().isImage());
      for (int n : List.of(1, 5, 2, 17)) {
        float[] in = new float[n * 16];
        for (int i = 0; i < in.length; i++) {
          in[i] = i;
        }
        float[] out = new float[n * 16];
        model.score(in, new float[n], null, n, out);
        assertEquals(-(n * 16 - 1), out[n * 16 - 1]);
      }
    }
  }

  @Test
  void dataShapeThatDisagreesWithTheGraphIsRejected() {
    OnnxGraphBuilder g = new OnnxGraphBuilder("neg");
    String x = g.input("x", DataType.FLOAT, "N", 3);
    g.input("t", DataType.FLOAT, "N");
    g.output(g.op("Neg", x), "score", DataType.FLOAT, "N", 3);
    ModelFormatException e =
        assertThrows(
            ModelFormatException.class, () -> runtime.load(g.build(veMetadata("2")), "neg"));
    assertTrue(
        e.getMessage().contains("input 'x' dimension 1 is 3 but 'scorestream.data.shape' says 2"),
        e.getMessage());
  }
}
