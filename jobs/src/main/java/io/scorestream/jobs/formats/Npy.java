package io.scorestream.jobs.formats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Float32 arrays in NumPy's .npy format, version 1.0 (little-endian, C order). */
public final class Npy {
  /** The media type a .npy download is served with. */
  public static final String MEDIA_TYPE = "application/x-npy";

  private Npy() {}

  /** The bytes of a .npy file holding {@code values} with shape {@code [rows, ...dataShape]}. */
  public static byte[] encode(float[] values, int rows, int[] dataShape) {
    StringBuilder shape = new StringBuilder("(").append(rows);
    for (int d : dataShape) {
      shape.append(", ").append(d);
    }
    shape.append(dataShape.length == 0 ? ",)" : ")");
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    int unpadded = 10 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    byte[] header = (dict + " ".repeat(padding) + "\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(10 + header.length + values.length * Float.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
        .putShort((short) header.length).put(header);
    out.asFloatBuffer().put(values);
    return out.array();
  }

  /** Writes {@code values} with shape {@code [rows, ...dataShape]} to {@code file}, creating its directory. */
  public static void write(Path file, float[] values, int rows, int[] dataShape) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, encode(values, rows, dataShape));
  }
}
