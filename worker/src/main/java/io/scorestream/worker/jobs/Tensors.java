package io.scorestream.worker.jobs;

import com.google.protobuf.ByteString;
import io.scorestream.proto.v1.DType;
import io.scorestream.proto.v1.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Float32 arrays to and from {@link Tensor} messages (little-endian, row-major). */
public final class Tensors {
  private Tensors() {}

  /** A float32 tensor of shape {@code [rows, ...dataShape]}. */
  public static Tensor of(float[] values, int rows, int[] dataShape) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    Tensor.Builder t = Tensor.newBuilder().setDtype(DType.FLOAT32).addShape(rows).setData(ByteString.copyFrom(bytes));
    for (int d : dataShape) {
      t.addShape(d);
    }
    return t.build();
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
}
