package io.scorestream.jobs;

import com.google.protobuf.ByteString;
import io.scorestream.proto.v1.DType;
import io.scorestream.proto.v1.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float arrays to and from {@link Tensor} messages (little-endian, row-major), and the checks of a
 * tensor's shape.
 */
public final class Tensors {
  /** The most dimensions a tensor in a request may have. */
  public static final int MAX_RANK = 8;

  private Tensors() {}

  /** A float32 tensor of shape {@code [rows, ...dataShape]}. */
  public static Tensor of(float[] values, int rows, int[] dataShape) {
    ByteBuffer bytes =
        ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    Tensor.Builder t =
        Tensor.newBuilder()
            .setDtype(DType.FLOAT32)
            .addShape(rows)
            .setData(ByteString.copyFrom(bytes));
    for (int d : dataShape) {
      t.addShape(d);
    }
    return t.build();
  }

  /** A float64 vector {@code [n]}: per-example values that must not lose digits. */
  public static Tensor ofDoubles(double[] values) {
    ByteBuffer bytes =
        ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asDoubleBuffer().put(values);
    return Tensor.newBuilder()
        .setDtype(DType.FLOAT64)
        .addShape(values.length)
        .setData(ByteString.copyFrom(bytes))
        .build();
  }

  /** The values of a float32 tensor. */
  public static float[] floats(Tensor tensor) {
    if (tensor.getDtype() != DType.FLOAT32) {
      throw new IllegalArgumentException("expected a FLOAT32 tensor, got " + tensor.getDtype());
    }
    float[] out = new float[tensor.getData().size() / Float.BYTES];
    tensor.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  /**
   * The values of a float32 or float64 tensor whose shape {@link #problem} found sound, widened to
   * double.
   */
  public static double[] doubles(Tensor tensor) {
    ByteBuffer data = tensor.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    return switch (tensor.getDtype()) {
      case FLOAT32 -> {
        float[] f = new float[data.remaining() / Float.BYTES];
        data.asFloatBuffer().get(f);
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
          out[i] = f[i];
        }
        yield out;
      }
      case FLOAT64 -> {
        double[] out = new double[data.remaining() / Double.BYTES];
        data.asDoubleBuffer().get(out);
        yield out;
      }
      default ->
          throw new IllegalArgumentException(
              "expected a FLOAT32 or FLOAT64 tensor, got " + tensor.getDtype());
    };
  }

  /**
   * A request's float tensor, refused naming {@code field} when it is absent (null), malformed
   * ({@link #problem}) or of another dtype than float32 or float64.
   */
  static Tensor floatInput(Tensor t, String field) {
    if (t == null) {
      throw Problem.invalid(field, field + " is required").exception();
    }
    String problem = problem(t);
    if (problem == null && t.getDtype() != DType.FLOAT32 && t.getDtype() != DType.FLOAT64) {
      problem = "is " + t.getDtype() + "; it must be FLOAT32 or FLOAT64";
    }
    if (problem != null) {
      throw Problem.invalid(field, field + ": the tensor " + problem).exception();
    }
    return t;
  }

  /** Bytes per element of a dtype, or 0 for none. */
  static int elementBytes(DType dtype) {
    return switch (dtype) {
      case FLOAT32 -> 4;
      case FLOAT64, INT64 -> 8;
      case UINT8 -> 1;
      default -> 0;
    };
  }

  /**
   * Null when the tensor is well formed (a known dtype, 1 to {@link #MAX_RANK} positive dimensions,
   * and exactly the bytes they need), else what is wrong, as a phrase that follows the field's
   * name.
   */
  public static String problem(Tensor tensor) {
    int element = elementBytes(tensor.getDtype());
    if (element == 0) {
      return "has no known dtype (" + tensor.getDtypeValue() + ")";
    }
    if (tensor.getShapeCount() == 0 || tensor.getShapeCount() > MAX_RANK) {
      return "must have 1 to " + MAX_RANK + " dimensions, has " + tensor.getShapeCount();
    }
    long count = 1;
    for (long d : tensor.getShapeList()) {
      if (d <= 0) {
        return "has a dimension that is not positive: " + tensor.getShapeList();
      }
      count *= d;
      if (count > Integer.MAX_VALUE) {
        return "has more elements than any request can carry: " + tensor.getShapeList();
      }
    }
    if (count * element != tensor.getData().size()) {
      return "has shape "
          + tensor.getShapeList()
          + " of "
          + tensor.getDtype()
          + " ("
          + count * element
          + " bytes) but carries "
          + tensor.getData().size()
          + " bytes";
    }
    return null;
  }
}
