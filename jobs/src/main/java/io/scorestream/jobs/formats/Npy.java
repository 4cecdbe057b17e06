package io.scorestream.jobs.formats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Float arrays in NumPy's .npy format: written as version 1.0, little-endian float32, C order; read
 * from versions 1 to 3, little-endian float32 or float64 (converted to float32), C order.
 */
public final class Npy {
  /** The media type a .npy download is served with. */
  public static final String MEDIA_TYPE = "application/x-npy";

  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /**
   * An array read from a .npy file.
   *
   * @param values its elements in C order, as float32
   * @param shape its shape (empty for a scalar)
   */
  public record Array(float[] values, int[] shape) {}

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
    ByteBuffer out =
        ByteBuffer.allocate(10 + header.length + values.length * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) 0x93)
        .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
        .put((byte) 1)
        .put((byte) 0)
        .putShort((short) header.length)
        .put(header);
    out.asFloatBuffer().put(values);
    return out.array();
  }

  /**
   * Reads a .npy file; refuses, naming what is wrong, anything but a C-order float32 or float64
   * array.
   */
  public static Array read(Path file) throws IOException {
    return decode(Files.readAllBytes(file));
  }

  /** Parses the bytes of a .npy file (see {@link #read}). */
  public static Array decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10
        || (bytes[0] & 0xff) != 0x93
        || !new String(bytes, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
      throw new IllegalArgumentException("not a .npy file (no \\x93NUMPY magic)");
    }
    int major = bytes[6];
    long headerLength;
    int start;
    if (major == 1) {
      headerLength = in.getShort(8) & 0xffff;
      start = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw new IllegalArgumentException("a .npy file cut short in its header");
      }
      headerLength = in.getInt(8) & 0xffffffffL;
      start = 12;
    } else {
      throw new IllegalArgumentException(".npy version " + major + " is not known (1 to 3 are)");
    }
    if (start + headerLength > bytes.length) {
      throw new IllegalArgumentException("a .npy file cut short in its header");
    }
    String header =
        new String(
            bytes,
            start,
            (int) headerLength,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, "descr");
    if (group(FORTRAN, header, "fortran_order").equals("True")) {
      throw new IllegalArgumentException(
          "the array is in Fortran order; save it in C order (np.ascontiguousarray)");
    }
    int size =
        switch (descr) {
          case "<f4" -> 4;
          case "<f8" -> 8;
          default ->
              throw new IllegalArgumentException(
                  "the array's dtype is "
                      + descr
                      + "; float32 or float64 (little-endian) are read");
        };
    String[] dims = group(SHAPE, header, "shape").split(",");
    List<Integer> shape = new ArrayList<>();
    long count = 1;
    for (String d : dims) {
      if (d.isBlank()) {
        continue;
      }
      long n;
      try {
        n = Long.parseLong(d.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the .npy shape has a dimension '" + d.trim() + "'");
      }
      if (n < 0 || n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("the .npy shape has a dimension of " + n);
      }
      shape.add((int) n);
      count *= n;
      if (count > Integer.MAX_VALUE / 8) {
        throw new IllegalArgumentException("the array is too large to read: over 2^28 elements");
      }
    }
    long dataStart = start + headerLength;
    if (bytes.length - dataStart != count * size) {
      throw new IllegalArgumentException(
          "the .npy data holds "
              + (bytes.length - dataStart)
              + " bytes; its shape "
              + shape
              + " of "
              + descr
              + " needs "
              + count * size);
    }
    float[] values = new float[(int) count];
    in.position((int) dataStart);
    if (size == 4) {
      in.asFloatBuffer().get(values);
    } else {
      var doubles = in.asDoubleBuffer();
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) doubles.get(i);
      }
    }
    return new Array(values, shape.stream().mapToInt(Integer::intValue).toArray());
  }

  private static String group(Pattern pattern, String header, String key) {
    Matcher m = pattern.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException("the .npy header has no '" + key + "'");
    }
    return m.group(1);
  }

  /**
   * Writes {@code values} with shape {@code [rows, ...dataShape]} to {@code file}, creating its
   * directory.
   */
  public static void write(Path file, float[] values, int rows, int[] dataShape)
      throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, encode(values, rows, dataShape));
  }
}
