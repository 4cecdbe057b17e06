package io.scorestream.core.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The two-dimensional toy distributions of the score-based and flow literature (as in Grathwohl et
 * al.'s FFJORD code, which score-SDE toy experiments reuse), each drawn from a seeded generator.
 * Points are in data space, all within about [-4, 4]^2.
 *
 * <ul>
 *   <li>{@code moons}: two interleaving half circles (scikit-learn's {@code make_moons}, noise
 *       0.1), scaled by 2 and shifted by (-1, -0.2);
 *   <li>{@code swissroll}: the swiss roll's (x, z) plane ({@code make_swiss_roll}, noise 1.0),
 *       divided by 5;
 *   <li>{@code 8gaussians}: eight Gaussians of standard deviation 0.5 around the circle of radius
 *       4, divided by sqrt 2;
 *   <li>{@code checkerboard}: uniform on the black squares of a 4 x 4 board of side 8 centred on
 *       the origin;
 *   <li>{@code rings}: four concentric circles of radii 0.75, 1.5, 2.25 and 3 (equally likely),
 *       noise 0.08.
 * </ul>
 */
public enum Toy2d {
  MOONS {
    @Override
    void draw(SplittableRandom r, double[] out) {
      double theta = Math.PI * r.nextDouble();
      boolean outer = r.nextBoolean();
      double x = outer ? Math.cos(theta) : 1 - Math.cos(theta);
      double y = outer ? Math.sin(theta) : 0.5 - Math.sin(theta);
      out[0] = 2 * (x + 0.1 * r.nextGaussian()) - 1;
      out[1] = 2 * (y + 0.1 * r.nextGaussian()) - 0.2;
    }
  },
  SWISSROLL {
    @Override
    void draw(SplittableRandom r, double[] out) {
      double t = 1.5 * Math.PI * (1 + 2 * r.nextDouble());
      out[0] = (t * Math.cos(t) + r.nextGaussian()) / 5;
      out[1] = (t * Math.sin(t) + r.nextGaussian()) / 5;
    }
  },
  EIGHT_GAUSSIANS {
    @Override
    void draw(SplittableRandom r, double[] out) {
      double angle = 2 * Math.PI * r.nextInt(8) / 8;
      out[0] = (4 * Math.cos(angle) + 0.5 * r.nextGaussian()) / Math.sqrt(2);
      out[1] = (4 * Math.sin(angle) + 0.5 * r.nextGaussian()) / Math.sqrt(2);
    }

    @Override
    public String key() {
      return "8gaussians";
    }
  },
  CHECKERBOARD {
    @Override
    void draw(SplittableRandom r, double[] out) {
      double x = 4 * r.nextDouble() - 2;
      double y = r.nextDouble() - 2 * r.nextInt(2) + Math.floorMod((int) Math.floor(x), 2);
      out[0] = 2 * x;
      out[1] = 2 * y;
    }
  },
  RINGS {
    @Override
    void draw(SplittableRandom r, double[] out) {
      double radius = 0.75 * (1 + r.nextInt(4));
      double angle = 2 * Math.PI * r.nextDouble();
      out[0] = radius * Math.cos(angle) + 0.08 * r.nextGaussian();
      out[1] = radius * Math.sin(angle) + 0.08 * r.nextGaussian();
    }
  };

  /** Draws one point into {@code out[0..1]}. */
  abstract void draw(SplittableRandom r, double[] out);

  /** {@code n} points, row-major {@code [n, 2]}, from a generator seeded with {@code seed}. */
  public float[] sample(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[2 * n];
    double[] p = new double[2];
    for (int i = 0; i < n; i++) {
      draw(r, p);
      out[2 * i] = (float) p[0];
      out[2 * i + 1] = (float) p[1];
    }
    return out;
  }

  /** Its name on the command line: {@code moons}, {@code swissroll}, {@code 8gaussians}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The distribution named {@code key}; the known names in the message otherwise. */
  public static Toy2d parse(String key) {
    for (Toy2d t : values()) {
      if (t.key().equals(key)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "no 2-D dataset '"
            + key
            + "'; known: "
            + String.join(", ", Arrays.stream(values()).map(Toy2d::key).toList()));
  }

  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }
}
