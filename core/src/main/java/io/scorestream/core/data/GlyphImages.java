package io.scorestream.core.data;

import io.scorestream.core.analytic.Glyphs;
import java.util.SplittableRandom;

/**
 * A procedurally drawn image dataset that needs no download: the eight {@link Glyphs} drawn at
 * random rotation (within 15 degrees), scale (0.7 to 0.95) and offset (within 6% of the side),
 * anti-aliased by 4 x 4 supersampling, on {@code [1, S, S]} images with values in [0, 1] (1 on a
 * stroke). The label is the glyph's index.
 */
public final class GlyphImages {
  private static final int SUPERSAMPLE = 4;

  private GlyphImages() {}

  /** One drawn example and its label. */
  public record Example(float[] pixels, int label) {}

  /**
   * Draws example {@code index} of the set seeded with {@code seed} (the same pair always draws the
   * same image).
   */
  public static Example draw(int side, long seed, long index) {
    if (side < 8) {
      throw new IllegalArgumentException("glyph images need at least 8 x 8 pixels, got " + side);
    }
    SplittableRandom r = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (index + 1)));
    int label = r.nextInt(Glyphs.count());
    double angle = Math.toRadians(r.nextDouble(-15, 15));
    double scale = r.nextDouble(0.7, 0.95);
    double dx = r.nextDouble(-0.12, 0.12);
    double dy = r.nextDouble(-0.12, 0.12);
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    float[] pixels = new float[side * side];
    for (int row = 0; row < side; row++) {
      for (int col = 0; col < side; col++) {
        int hits = 0;
        for (int sy = 0; sy < SUPERSAMPLE; sy++) {
          for (int sx = 0; sx < SUPERSAMPLE; sx++) {
            double u = (2 * (col + (sx + 0.5) / SUPERSAMPLE)) / side - 1 - dx;
            double v = (2 * (row + (sy + 0.5) / SUPERSAMPLE)) / side - 1 - dy;
            double gu = (cos * u + sin * v) / scale;
            double gv = (-sin * u + cos * v) / scale;
            hits += Glyphs.onStroke(label, gu, gv) ? 1 : 0;
          }
        }
        pixels[row * side + col] = hits / (float) (SUPERSAMPLE * SUPERSAMPLE);
      }
    }
    return new Example(pixels, label);
  }
}
