package io.scorestream.core.sample;

import io.scorestream.core.sde.Sde;
import java.util.SplittableRandom;

/**
 * The observation of an inverse problem noised along one path of the forward process, for
 * imputation (Song et al. 2021, appendix I.2): at time t the known values {@code Q x} of a sample
 * are replaced by {@code y_t ~ N(m(t) y, sigma(t)^2)}, and as a sampler moves down in time the path
 * moves through the forward process's bridge {@code q(y_s | y_t, y)}, so the imputed values follow
 * a path the forward process could have taken and reach y itself at t = 0.
 *
 * <p>Shapes: {@code samples * G k} path values (the layout of {@link
 * LinearMeasurement#observation}); states of {@code samples * particles} rows of {@code dimension}
 * values, particle p of sample s at row {@code s * particles + p}.
 */
final class ObservationPath {
  private final Sde sde;
  private final LinearMeasurement measurement;
  private final SplittableRandom random;
  private final double[] path;
  private double time;

  /**
   * @param random the job's own generator for the path's noise, apart from the sampler's
   */
  ObservationPath(Sde sde, LinearMeasurement measurement, SplittableRandom random, double start) {
    this.sde = sde;
    this.measurement = measurement;
    this.random = random;
    this.path = new double[measurement.samples() * measurement.valuesPerSample()];
    double m = sde.meanCoefficient(start);
    double s = sde.marginalStd(start);
    forEachKnown((i, y) -> path[i] = m * y + s * random.nextGaussian());
    time = start;
  }

  /**
   * The generator of a job's path noise, derived from its seed apart from the sampler's own
   * generator.
   */
  static SplittableRandom generator(long seed) {
    return new SplittableRandom(seed ^ 0x5DEECE66DL);
  }

  /** The path's value for sample s, group g, row r (the layout of the observation). */
  double value(int sample, int group, int row) {
    return path[sample * measurement.valuesPerSample() + group * measurement.rowsPerGroup() + row];
  }

  /**
   * Moves the path from its time down to {@code t} by the forward process's bridge: given y_hi and
   * y, {@code y_lo} is Gaussian with precision {@code 1/s_lo^2 + a^2/v} and mean {@code (m_lo y /
   * s_lo^2 + a y_hi / v)} over that precision, where {@code a = m_hi/m_lo} and {@code v = s_hi^2 -
   * a^2 s_lo^2} is the variance from lo to hi. At t = 0 it is y itself.
   */
  void advanceTo(double t) {
    if (t == time) {
      return;
    }
    double mHi = sde.meanCoefficient(time);
    double sHi = sde.marginalStd(time);
    double mLo = t == 0 ? 1 : sde.meanCoefficient(t);
    double sLo = t == 0 ? 0 : sde.marginalStd(t);
    double a = mHi / mLo;
    double v = sHi * sHi - a * a * sLo * sLo;
    if (t == 0 || !(v > 0)) {
      forEachKnown((i, y) -> path[i] = mLo * y);
    } else {
      double variance = 1 / (1 / (sLo * sLo) + a * a / v);
      double std = Math.sqrt(variance);
      forEachKnown(
          (i, y) ->
              path[i] =
                  variance * (mLo * y / (sLo * sLo) + a * path[i] / v)
                      + std * random.nextGaussian());
    }
    time = t;
  }

  /** Replaces the known part of every row of {@code state} by the path's current values. */
  void impute(double[] state, int particles, int dimension) {
    int perSample = measurement.valuesPerSample();
    int rows = state.length / dimension;
    for (int row = 0; row < rows; row++) {
      int s = row / particles;
      measurement.impute(s, state, row * dimension, path, s * perSample);
    }
  }

  private interface KnownValue {
    void accept(int index, double observation);
  }

  private void forEachKnown(KnownValue action) {
    int k = measurement.rowsPerGroup();
    for (int s = 0; s < measurement.samples(); s++) {
      for (int g = 0; g < measurement.groups(); g++) {
        if (measurement.known(s, g)) {
          for (int r = 0; r < k; r++) {
            action.accept((s * measurement.groups() + g) * k + r, measurement.observation(s, g, r));
          }
        }
      }
    }
  }
}
