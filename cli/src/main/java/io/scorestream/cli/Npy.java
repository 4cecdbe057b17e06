package io.scorestream.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes float32 arrays in NumPy's .npy format, version 1.0 (little-endian, C order). */
final class Npy {
  private Npy() {}

  /** Writes {@code values} with shape {@code [rows, ...dataShape]}. */
  static void write(Path file, float[] values, int rows, int[] dataShape) throws IOException {
    StringBuilder shape = new StringBuilder("(").append(rows);
    for (int d : dataShape) {
      shape.append(", ").append(d);
    }
    shape.append(dataShape.length == 0 ? ",)" : ")");
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    int unpadded = 10 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    head.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
        .putShort((short) header.length());
    ByteBuffer body = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    body.asFloatBuffer().put(values);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(head.array());
      out.write(header.getBytes(StandardCharsets.US_ASCII));
      out.write(body.array());
    }
  }
}
