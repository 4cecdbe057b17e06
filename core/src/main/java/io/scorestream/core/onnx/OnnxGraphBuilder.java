package io.scorestream.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Writes ONNX graphs (opset 17) node by node from Java: inputs with a symbolic batch dimension,
 * float and int64 initializers, operator nodes with attributes, metadata. Every intermediate value
 * gets a fresh name.
 */
public final class OnnxGraphBuilder {
  /** The ONNX operator set the graphs use. */
  public static final int OPSET = 17;

  private static final int IR_VERSION = 8;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private int counter;

  public OnnxGraphBuilder(String name) {
    graph.setName(name);
  }

  /** An attribute of a node. */
  public record Attr(String name, AttributeProto proto) {
    public static Attr ints(String name, long value) {
      return new Attr(
          name,
          AttributeProto.newBuilder()
              .setName(name)
              .setType(AttributeProto.AttributeType.INT)
              .setI(value)
              .build());
    }

    public static Attr intList(String name, long... values) {
      AttributeProto.Builder a =
          AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
      for (long v : values) {
        a.addInts(v);
      }
      return new Attr(name, a.build());
    }

    public static Attr floats(String name, float value) {
      return new Attr(
          name,
          AttributeProto.newBuilder()
              .setName(name)
              .setType(AttributeProto.AttributeType.FLOAT)
              .setF(value)
              .build());
    }
  }

  /**
   * Declares a graph input; a dimension given as a String is symbolic (e.g. "N"), a Number is
   * fixed.
   */
  public String input(String name, TensorProto.DataType type, Object... dims) {
    graph.addInput(valueInfo(name, type, dims));
    return name;
  }

  /** The dimensions of a batch of {@code shape}: a symbolic {@code N}, then the shape. */
  public static Object[] batchOf(int[] shape) {
    Object[] dims = new Object[shape.length + 1];
    dims[0] = "N";
    for (int i = 0; i < shape.length; i++) {
      dims[i + 1] = shape[i];
    }
    return dims;
  }

  /**
   * Declares a float32 input {@code [N, ...shape]} for a graph that works on rows, and returns it
   * as rows {@code [N, D]}: as it is for one-dimensional data, reshaped otherwise (images,
   * flattened).
   */
  public String rowsInput(String name, int[] shape) {
    String input = input(name, TensorProto.DataType.FLOAT, batchOf(shape));
    return shape.length == 1
        ? input
        : op("Reshape", input, longs(-1, Arrays.stream(shape).reduce(1, (a, b) -> a * b)));
  }

  /**
   * Declares a float32 output {@code [N, ...shape]} fed by rows {@code [N, D]}: the way back of
   * {@link #rowsInput}.
   */
  public void rowsOutput(String rows, String name, int[] shape) {
    long[] back = new long[shape.length + 1];
    back[0] = -1;
    for (int i = 0; i < shape.length; i++) {
      back[i + 1] = shape[i];
    }
    output(
        shape.length == 1 ? rows : op("Reshape", rows, longs(back)),
        name,
        TensorProto.DataType.FLOAT,
        batchOf(shape));
  }

  /** Declares a graph output fed by {@code value}. */
  public void output(String value, String name, TensorProto.DataType type, Object... dims) {
    if (!value.equals(name)) {
      graph.addNode(NodeProto.newBuilder().setOpType("Identity").addInput(value).addOutput(name));
    }
    graph.addOutput(valueInfo(name, type, dims));
  }

  /** A float32 constant of the given shape. */
  public String floats(float[] values, long... dims) {
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(fresh("const"))
            .setDataType(TensorProto.DataType.FLOAT.getNumber());
    for (long d : dims) {
      t.addDims(d);
    }
    for (float v : values) {
      t.addFloatData(v);
    }
    graph.addInitializer(t);
    return t.getName();
  }

  /** A float32 scalar constant. */
  public String scalar(double value) {
    return floats(new float[] {(float) value});
  }

  /** An int64 constant vector (axes, shapes). */
  public String longs(long... values) {
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(fresh("axes"))
            .setDataType(TensorProto.DataType.INT64.getNumber())
            .addDims(values.length);
    for (long v : values) {
      t.addInt64Data(v);
    }
    graph.addInitializer(t);
    return t.getName();
  }

  /** Adds a node with one output and returns the output's name. */
  public String op(String opType, String... inputs) {
    return op(opType, new Attr[0], inputs);
  }

  /** Adds a node with attributes and one output, and returns the output's name. */
  public String op(String opType, Attr[] attrs, String... inputs) {
    String out = fresh(opType.toLowerCase(Locale.ROOT));
    NodeProto.Builder node =
        NodeProto.newBuilder().setOpType(opType).setName(out + "_node").addOutput(out);
    for (String in : inputs) {
      node.addInput(in);
    }
    for (Attr a : attrs) {
      node.addAttribute(a.proto());
    }
    graph.addNode(node);
    return out;
  }

  /** The serialised model with the given metadata. */
  public byte[] build(Map<String, String> metadata) {
    ModelProto.Builder model =
        ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .setProducerName("scorestream")
            .setGraph(graph)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
    metadata.forEach(
        (k, v) ->
            model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return model.build().toByteArray();
  }

  private String fresh(String prefix) {
    return prefix + "_" + counter++;
  }

  private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof String s) {
        dim.setDimParam(s);
      } else {
        dim.setDimValue(((Number) d).longValue());
      }
      shape.addDim(dim);
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
        .build();
  }
}
