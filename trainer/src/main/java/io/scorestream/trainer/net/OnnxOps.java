package io.scorestream.trainer.net;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.scorestream.core.onnx.OnnxGraphBuilder;
import io.scorestream.core.onnx.OnnxGraphBuilder.Attr;
import java.util.Arrays;
import java.util.Map;

/**
 * A network's structure emitted as ONNX nodes with given weights. Values are nodes with their shape
 * (no batch). Group normalisation, which ONNX opset 17 lacks, is Reshape to {@code [N, G, -1]},
 * InstanceNormalization (unit scale, zero shift) over each group, Reshape back, then the
 * per-channel scale and shift.
 */
final class OnnxOps implements NetOps<OnnxOps.Node> {
  /** A value in the graph and its shape without the batch dimension. */
  record Node(String name, long... shape) {}

  private final OnnxGraphBuilder g;
  private final Map<String, float[]> weights;
  private final Map<String, long[]> shapes;
  private final float[] frequencies;

  OnnxOps(
      OnnxGraphBuilder g,
      Map<String, float[]> weights,
      Map<String, long[]> shapes,
      float[] frequencies) {
    this.g = g;
    this.weights = weights;
    this.shapes = shapes;
    this.frequencies = frequencies;
  }

  private String weight(String name) {
    float[] w = weights.get(name);
    if (w == null) {
      throw new IllegalArgumentException("no weights for " + name);
    }
    return g.floats(w, shapes.get(name));
  }

  private long[] withBatch(long... shape) {
    long[] out = new long[shape.length + 1];
    out[0] = -1;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }

  @Override
  public long channels(Node image) {
    return image.shape()[0];
  }

  @Override
  public Node conv(Node x, String name, int out, int k, int stride) {
    int p = k / 2;
    String y =
        g.op(
            "Conv",
            new Attr[] {
              Attr.intList("kernel_shape", k, k),
              Attr.intList("strides", stride, stride),
              Attr.intList("pads", p, p, p, p)
            },
            x.name(),
            weight(name + ".w"),
            weight(name + ".b"));
    return new Node(
        y, out, (x.shape()[1] + 2 * p - k) / stride + 1, (x.shape()[2] + 2 * p - k) / stride + 1);
  }

  @Override
  public Node dense(Node x, String name, int out) {
    return new Node(g.op("Gemm", x.name(), weight(name + ".w"), weight(name + ".b")), out);
  }

  @Override
  public Node groupNorm(Node x, String name, int groups) {
    long c = x.shape()[0];
    String grouped = g.op("Reshape", x.name(), g.longs(0, groups, -1));
    float[] ones = new float[groups];
    Arrays.fill(ones, 1);
    String normed =
        g.op(
            "InstanceNormalization",
            new Attr[] {Attr.floats("epsilon", DjlOps.GROUP_NORM_EPS)},
            grouped,
            g.floats(ones, groups),
            g.floats(new float[groups], groups));
    String back = g.op("Reshape", normed, g.longs(withBatch(x.shape())));
    String scaled = g.op("Mul", back, g.floats(weights.get(name + ".g"), c, 1, 1));
    return new Node(g.op("Add", scaled, g.floats(weights.get(name + ".b"), c, 1, 1)), x.shape());
  }

  @Override
  public Node silu(Node x) {
    return new Node(g.op("Mul", x.name(), g.op("Sigmoid", x.name())), x.shape());
  }

  @Override
  public Node add(Node a, Node b) {
    return new Node(g.op("Add", a.name(), b.name()), a.shape());
  }

  @Override
  public Node addPerChannel(Node image, Node vector) {
    return new Node(
        g.op("Add", image.name(), g.op("Unsqueeze", vector.name(), g.longs(2, 3))), image.shape());
  }

  @Override
  public Node concat(Node a, Node b) {
    return new Node(
        g.op("Concat", new Attr[] {Attr.ints("axis", 1)}, a.name(), b.name()),
        a.shape()[0] + b.shape()[0],
        a.shape()[1],
        a.shape()[2]);
  }

  @Override
  public Node flatten(Node image) {
    return new Node(
        g.op("Flatten", new Attr[] {Attr.ints("axis", 1)}, image.name()),
        image.shape()[0] * image.shape()[1] * image.shape()[2]);
  }

  @Override
  public Node upsample(Node x) {
    long c = x.shape()[0];
    long h = x.shape()[1];
    long w = x.shape()[2];
    String spread =
        g.op(
            "Expand",
            g.op("Reshape", x.name(), g.longs(-1, c, h, 1, w, 1)),
            g.longs(1, 1, 1, 2, 1, 2));
    return new Node(g.op("Reshape", spread, g.longs(-1, c, 2 * h, 2 * w)), c, 2 * h, 2 * w);
  }

  @Override
  public Node fourier(Node t, int count) {
    String proj =
        g.op(
            "Mul",
            g.op(
                "MatMul",
                g.op("Unsqueeze", t.name(), g.longs(1)),
                g.floats(frequencies, 1, frequencies.length)),
            g.scalar(2 * Math.PI));
    return new Node(
        g.op("Concat", new Attr[] {Attr.ints("axis", 1)}, g.op("Sin", proj), g.op("Cos", proj)),
        2L * count);
  }

  /** Labels are the model's {@code y: int64[N]} input, so the lookup is a Gather of rows. */
  @Override
  public Node embed(Node labels, String name, int classes, int out) {
    return new Node(
        g.op("Gather", new Attr[] {Attr.ints("axis", 0)}, weight(name + ".w"), labels.name()), out);
  }

  /** Declares the graph's label input. */
  static Node labels(OnnxGraphBuilder g) {
    return new Node(g.input("y", DataType.INT64, "N"));
  }
}
