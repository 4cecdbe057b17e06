package io.scorestream.core.analytic;

/**
 * An analytic image distribution: a {@link GaussianMixture} over {@code [1, S, S]} images whose
 * eight equally weighted components are simple glyphs (ring, plus, cross, square, bars, disc,
 * triangle, diamond) with isotropic pixel noise. Its score is known exactly, so it serves image
 * models before any network is trained, and tests of everything that treats image samples (PNG
 * previews, image grids) against a ground truth.
 *
 * <p>Pixel values are in model space: -1 for the background, +1 on a stroke, for data in [0, 1]
 * under centered scaling.
 */
public final class Glyphs {
  /**
   * The glyphs, as functions of pixel-centre coordinates u (right) and v (down) in [-1, 1]: true on
   * a stroke.
   */
  private static final Shape[] SHAPES = {
    (u, v) -> Math.abs(Math.hypot(u, v) - 0.6) < 0.17,
    (u, v) -> Math.abs(u) < 0.17 || Math.abs(v) < 0.17,
    (u, v) -> Math.abs(u - v) < 0.24 || Math.abs(u + v) < 0.24,
    (u, v) ->
        Math.max(Math.abs(u), Math.abs(v)) > 0.55 && Math.max(Math.abs(u), Math.abs(v)) < 0.85,
    (u, v) -> Math.abs(v) > 0.3 && Math.abs(v) < 0.7,
    (u, v) -> Math.hypot(u, v) < 0.55,
    (u, v) -> v > -0.7 && v < 0.7 && Math.abs(u) < (v + 0.7) / 1.4 * 0.8,
    (u, v) -> Math.abs(Math.abs(u) + Math.abs(v) - 0.6) < 0.17,
  };

  @FunctionalInterface
  private interface Shape {
    boolean on(double u, double v);
  }

  private Glyphs() {}

  /**
   * Whether glyph {@code glyph} has a stroke at pixel-centre coordinates u (right), v (down) in
   * [-1, 1].
   */
  public static boolean onStroke(int glyph, double u, double v) {
    return SHAPES[glyph].on(u, v);
  }

  /** Number of glyphs, the mixture's components. */
  public static int count() {
    return SHAPES.length;
  }

  /**
   * The mixture over {@code size x size} one-channel images, flattened row-major to D = size^2
   * values.
   *
   * @param size image side in pixels, at least 4
   * @param noise each component's pixel standard deviation in model space (0.1 gives clean glyphs)
   */
  public static GaussianMixture mixture(int size, double noise) {
    if (size < 4) {
      throw new IllegalArgumentException("glyph images need at least 4 x 4 pixels, got " + size);
    }
    int k = SHAPES.length;
    double[] weights = new double[k];
    double[][] means = new double[k][];
    double[] stds = new double[k];
    for (int c = 0; c < k; c++) {
      weights[c] = 1.0 / k;
      means[c] = image(SHAPES[c], size);
      stds[c] = noise;
    }
    return new GaussianMixture(weights, means, stds);
  }

  private static double[] image(Shape shape, int size) {
    double[] pixels = new double[size * size];
    for (int row = 0; row < size; row++) {
      for (int col = 0; col < size; col++) {
        double u = (2 * col + 1.0) / size - 1;
        double v = (2 * row + 1.0) / size - 1;
        pixels[row * size + col] = shape.on(u, v) ? 1 : -1;
      }
    }
    return pixels;
  }
}
