package io.scorestream.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes image samples {@code [M, C, H, W]} (C = 1 or 3, data in [0, 1]) as one PNG grid, clamped, 2-pixel gaps. */
final class PngGrid {
  private static final int GAP = 2;

  private PngGrid() {}

  static void write(Path file, float[] values, int count, int[] shape) throws IOException {
    int channels = shape[0];
    int h = shape[1];
    int w = shape[2];
    int cols = (int) Math.ceil(Math.sqrt(count));
    int rows = (count + cols - 1) / cols;
    BufferedImage image = new BufferedImage(cols * (w + GAP) + GAP, rows * (h + GAP) + GAP,
        BufferedImage.TYPE_INT_RGB);
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
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  private static int level(float v) {
    float c = Float.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
    return Math.round(c * 255);
  }
}
