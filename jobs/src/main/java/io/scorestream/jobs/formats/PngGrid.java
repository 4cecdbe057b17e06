package io.scorestream.jobs.formats;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Image samples {@code [M, C, H, W]} (C = 1 or 3, data in [0, 1]) as one 8-bit PNG grid, clamped,
 * with 2-pixel gaps: the result files of image models and their previews on the wire.
 */
public final class PngGrid {
  private static final int GAP = 2;

  private PngGrid() {}

  /**
   * The PNG bytes of a grid of the first {@code count} samples of one sample's {@code shape} [C, H,
   * W].
   */
  public static byte[] encode(float[] values, int count, int[] shape) {
    return encode(values, count, shape, (int) Math.ceil(Math.sqrt(count)));
  }

  /** The PNG bytes of a grid of {@code count} samples in rows of {@code cols}. */
  public static byte[] encode(float[] values, int count, int[] shape, int cols) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image(values, count, shape, cols), "png", out)) {
        throw new IllegalStateException("no PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a memory stream does not fail
    }
    return out.toByteArray();
  }

  /** Writes the grid to {@code file}, creating its directory. */
  public static void write(Path file, float[] values, int count, int[] shape) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, encode(values, count, shape));
  }

  private static BufferedImage image(float[] values, int count, int[] shape, int cols) {
    int channels = shape[0];
    int h = shape[1];
    int w = shape[2];
    int rows = (count + cols - 1) / cols;
    BufferedImage image =
        new BufferedImage(
            cols * (w + GAP) + GAP, rows * (h + GAP) + GAP, BufferedImage.TYPE_INT_RGB);
    int plane = h * w;
    for (int s = 0; s < count; s++) {
      int x0 = GAP + (s % cols) * (w + GAP);
      int y0 = GAP + (s / cols) * (h + GAP);
      int base = s * channels * plane;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int p = y * w + x;
          int r = level(values[base + p]);
          int g = channels == 3 ? level(values[base + plane + p]) : r;
          int b = channels == 3 ? level(values[base + 2 * plane + p]) : r;
          image.setRGB(x0 + x, y0 + y, (r << 16) | (g << 8) | b);
        }
      }
    }
    return image;
  }

  /** A value in [0, 1] as an 8-bit level, clamped (NaN as 0). */
  public static int level(float v) {
    float c = Float.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
    return Math.round(c * 255);
  }
}
