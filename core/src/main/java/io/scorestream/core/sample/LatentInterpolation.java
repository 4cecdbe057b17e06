package io.scorestream.core.sample;

/**
 * Paths between two latent codes of the probability-flow ODE. Codes of data are draws from the
 * prior's shell (a Gaussian's mass in D dimensions sits near radius {@code sigma sqrt(D)}), where a
 * straight line between two of them dips towards the origin, into codes no data has: the midpoint
 * of two orthogonal codes of equal norm has {@code 1/sqrt(2)} of their norm. Spherical linear
 * interpolation (Shoemake 1985; White 2016, "Sampling Generative Networks") follows the great
 * circle instead and keeps the norm of equal-norm codes. Shapes: codes are {@code [D]}, model
 * space.
 */
public final class LatentInterpolation {
  private LatentInterpolation() {}

  /**
   * {@code count} codes from {@code a} to {@code b} inclusive, evenly spaced in angle, {@code
   * [count * D]}: at fraction u, {@code sin((1 - u) theta) / sin(theta) a + sin(u theta) /
   * sin(theta) b} with theta the angle between them; a straight line where they are (anti)parallel
   * within 1e-6 rad, where the great circle is not defined.
   *
   * @throws IllegalArgumentException if the codes differ in length, are not finite or zero, or
   *     count < 2
   */
  public static double[] slerp(double[] a, double[] b, int count) {
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException(
          "two codes of one length are needed, got " + a.length + " and " + b.length);
    }
    if (count < 2) {
      throw new IllegalArgumentException(
          "a path has at least its two ends, got " + count + " codes");
    }
    double na = norm(a);
    double nb = norm(b);
    if (!(na > 0 && nb > 0 && Double.isFinite(na) && Double.isFinite(nb))) {
      throw new IllegalArgumentException(
          "codes must be finite and non-zero (norms " + na + " and " + nb + ")");
    }
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    double theta = Math.acos(Math.max(-1, Math.min(1, dot / (na * nb))));
    boolean straight = theta < 1e-6 || Math.PI - theta < 1e-6;
    double[] out = new double[count * a.length];
    for (int k = 0; k < count; k++) {
      double u = k / (double) (count - 1);
      double wa = straight ? 1 - u : Math.sin((1 - u) * theta) / Math.sin(theta);
      double wb = straight ? u : Math.sin(u * theta) / Math.sin(theta);
      for (int i = 0; i < a.length; i++) {
        out[k * a.length + i] = wa * a[i] + wb * b[i];
      }
    }
    return out;
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }
}
