package io.scorestream.core.stats;

/**
 * The standard normal distribution's CDF, through erf (W. J. Cody's rational approximations,
 * |error| < 1e-15).
 */
public final class Normal {
  private Normal() {}

  /** {@code P(Z <= x)} for Z ~ N(0, 1). */
  public static double cdf(double x) {
    return 0.5 * erfc(-x / Math.sqrt(2));
  }

  /** The complementary error function. */
  public static double erfc(double x) {
    double z = Math.abs(x);
    if (z < 0.5) {
      return 1 - erf(x);
    }
    double r = z < 4 ? erfcMid(z) : erfcTail(z);
    return x < 0 ? 2 - r : r;
  }

  /** The error function. */
  public static double erf(double x) {
    double z = Math.abs(x);
    if (z >= 0.5) {
      double c = erfc(z);
      return x < 0 ? c - 1 : 1 - c;
    }
    double t = x * x;
    double num =
        (((1.85777706184603153e-1 * t + 3.16112374387056560) * t + 1.13864154151050156e2) * t
                    + 3.77485237685302021e2)
                * t
            + 3.20937758913846947e3;
    double den =
        (((t + 2.36012909523441209e1) * t + 2.44024637934444173e2) * t + 1.28261652607737228e3) * t
            + 2.84423683343917062e3;
    return x * num / den;
  }

  private static double erfcMid(double z) {
    double num =
        (((((((2.15311535474403846e-8 * z + 5.64188496988670089e-1) * z + 8.88314979438837594) * z
                                                    + 6.61191906371416295e1)
                                                * z
                                            + 2.98635138197400131e2)
                                        * z
                                    + 8.81952221241769090e2)
                                * z
                            + 1.71204761263407058e3)
                        * z
                    + 2.05107837782607147e3)
                * z
            + 1.23033935479799725e3;
    double den =
        (((((((z + 1.57449261107098347e1) * z + 1.17693950891312499e2) * z + 5.37181101862009858e2)
                                                * z
                                            + 1.62138957456669019e3)
                                        * z
                                    + 3.29079923573345963e3)
                                * z
                            + 4.36261909014324716e3)
                        * z
                    + 3.43936767414372164e3)
                * z
            + 1.23033935480374942e3;
    return Math.exp(-z * z) * num / den;
  }

  private static double erfcTail(double z) {
    double t = 1 / (z * z);
    double num =
        ((((1.63153871373020978e-2 * t + 3.05326634961232344e-1) * t + 3.60344899949804439e-1) * t
                            + 1.25781726111229246e-1)
                        * t
                    + 1.60837851487422766e-2)
                * t
            + 6.58749161529837803e-4;
    double den =
        ((((t + 2.56852019228982242) * t + 1.87295284992346725) * t + 5.27905102951428412e-1) * t
                    + 6.05183413124413191e-2)
                * t
            + 2.33520497626869185e-3;
    double r = (1 / Math.sqrt(Math.PI) - t * num / den) / z;
    return Math.exp(-z * z) * r;
  }
}
