package io.scorestream.core.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.Map;

/**
 * A small graph for checking that an execution provider computes: {@code y = x W + 1}, {@code x}
 * float32 {@code [N, width]}, {@code W} {@code [width, width]} row-major, output {@code y} of
 * {@code x}'s shape. The CUDA probe runs it on the device and checks it against Java's arithmetic.
 */
public final class ProbeGraph {
  private ProbeGraph() {}

  /** The serialised graph with weights {@code w} ({@code width * width} values, row-major). */
  public static byte[] matMulPlusOne(float[] w, int width) {
    if (w.length != width * width) {
      throw new IllegalArgumentException(
          "a " + width + "x" + width + " matrix has " + width * width + " values, got " + w.length);
    }
    OnnxGraphBuilder g = new OnnxGraphBuilder("probe");
    String x = g.input("x", TensorProto.DataType.FLOAT, "N", width);
    String y = g.op("Add", g.op("MatMul", x, g.floats(w, width, width)), g.scalar(1));
    g.output(y, "y", TensorProto.DataType.FLOAT, "N", width);
    return g.build(Map.of());
  }
}
