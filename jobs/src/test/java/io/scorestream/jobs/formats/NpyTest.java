package io.scorestream.jobs.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * .npy files written here read back the same, NumPy's float64 files are read, and broken ones are
 * refused.
 */
class NpyTest {
  /**
   * A file as NumPy 1.x writes {@code np.save(f, np.arange(6.0).reshape(2, 3))}: version 1.0,
   * float64.
   */
  private static byte[] numpyFloat64() {
    String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
    String header = dict + " ".repeat(118 - dict.length() - 1) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 48).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93)
        .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
        .put((byte) 1)
        .put((byte) 0)
        .putShort((short) header.length())
        .put(header.getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 6; i++) {
      b.putDouble(i);
    }
    return b.array();
  }

  @Test
  void whatIsWrittenReadsBackWithItsShape() {
    float[] values = {1.5f, -2f, 3.25f, 0f, 7f, -0.5f};
    Npy.Array a = Npy.decode(Npy.encode(values, 3, new int[] {1, 2}));
    assertArrayEquals(new int[] {3, 1, 2}, a.shape());
    assertArrayEquals(values, a.values());
  }

  @Test
  void numpysFloat64FilesAreReadAsFloat32() {
    Npy.Array a = Npy.decode(numpyFloat64());
    assertArrayEquals(new int[] {2, 3}, a.shape());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, a.values());
  }

  @Test
  void brokenFilesAreRefusedNamingWhatIsWrong() {
    byte[] good = numpyFloat64();
    byte[] cut = Arrays.copyOf(good, good.length - 8);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Npy.decode(cut))
            .getMessage()
            .contains("needs 48"));
    byte[] ints =
        new String(good, StandardCharsets.ISO_8859_1)
            .replace("<f8", "<i8")
            .getBytes(StandardCharsets.ISO_8859_1);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Npy.decode(ints))
            .getMessage()
            .contains("<i8"));
    byte[] fortran =
        new String(good, StandardCharsets.ISO_8859_1)
            .replace("False", "True ")
            .getBytes(StandardCharsets.ISO_8859_1);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Npy.decode(fortran))
            .getMessage()
            .contains("Fortran"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Npy.decode("PK\3\4 a zip".getBytes()))
            .getMessage()
            .contains("not a .npy"));
  }
}
