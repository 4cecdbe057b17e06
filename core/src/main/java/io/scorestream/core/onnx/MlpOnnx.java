package io.scorestream.core.onnx;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import java.util.SplittableRandom;

/**
 * Writes a fully connected score network {@code score = W_L silu(... silu(W_1 [x, t] + b_1) ...) +
 * b_L} as an ONNX graph with the ScoreStream contract, for flat data {@code [D]}: input {@code [x,
 * t]} has D + 1 features. Weights are row-major {@code [out][in]}.
 */
public final class MlpOnnx {
  private MlpOnnx() {}

  /**
   * Layer parameters.
   *
   * @param weights {@code [out * in]} row-major
   * @param bias {@code [out]}
   * @param in input features
   * @param out output features
   */
  public record Layer(float[] weights, float[] bias, int in, int out) {}

  /** Layers of the given widths with Glorot-uniform weights and zero biases, from a seed. */
  public static Layer[] randomLayers(int dataDim, int[] hidden, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Layer[] layers = new Layer[hidden.length + 1];
    int in = dataDim + 1;
    for (int l = 0; l <= hidden.length; l++) {
      int out = l < hidden.length ? hidden[l] : dataDim;
      float[] w = new float[out * in];
      double limit = Math.sqrt(6.0 / (in + out));
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
      }
      layers[l] = new Layer(w, new float[out], in, out);
      in = out;
    }
    return layers;
  }

  /** The serialised ONNX model. */
  public static byte[] build(Layer[] layers, ModelInfo info) {
    int d = info.dimension();
    if (info.dataShape().length != 1
        || layers[0].in() != d + 1
        || layers[layers.length - 1].out() != d) {
      throw new IllegalArgumentException(
          "an MLP score network for flat "
              + d
              + "-D data needs "
              + (d + 1)
              + " inputs and "
              + d
              + " outputs");
    }
    OnnxGraphBuilder g = new OnnxGraphBuilder("mlp_score");
    String x = g.input("x", DataType.FLOAT, "N", d);
    String t = g.input("t", DataType.FLOAT, "N");
    String h =
        g.op(
            "Concat",
            new OnnxGraphBuilder.Attr[] {OnnxGraphBuilder.Attr.ints("axis", 1)},
            x,
            g.op("Unsqueeze", t, g.longs(1)));
    for (int l = 0; l < layers.length; l++) {
      Layer layer = layers[l];
      h =
          g.op(
              "Gemm",
              new OnnxGraphBuilder.Attr[] {OnnxGraphBuilder.Attr.ints("transB", 1)},
              h,
              g.floats(layer.weights(), layer.out(), layer.in()),
              g.floats(layer.bias(), layer.out()));
      if (l < layers.length - 1) {
        h = g.op("Mul", h, g.op("Sigmoid", h));
      }
    }
    g.output(h, "score", DataType.FLOAT, "N", d);
    return g.build(ModelMetadata.describe(info));
  }
}
