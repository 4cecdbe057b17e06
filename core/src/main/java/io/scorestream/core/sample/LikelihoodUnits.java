package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import java.util.SplittableRandom;

/**
 * The units a likelihood is reported in, from the model-space log-density {@link LikelihoodProcess}
 * computes: nats of the data-space density for continuous data, and bits per dimension for 8-bit
 * images, dequantised uniformly as score_sde's evaluation does ({@code (255 x + u) / 256}, u ~ U[0,
 * 1), for x = k / 255 in [0, 1]), so that a density over [0, 1]^D stands for the probability of the
 * 256^D cells (Theis et al. 2016).
 */
public final class LikelihoodUnits {
  private LikelihoodUnits() {}

  /** {@code log p_data(x) = log p_model(scale(x)) + D log |d scale / dx|}, in nats. */
  public static double dataNats(double modelNats, int dimension, DataScaling scaling) {
    return modelNats + dimension * Math.log(jacobian(scaling));
  }

  /**
   * Bits per dimension of 8-bit data: {@code -log2 p_data(x~) / D + 8}, with x~ the dequantised
   * point; score_sde's {@code bpd + offset} with its offset {@code 7 - inverse_scaler(-1)}.
   */
  public static double bitsPerDimension(double modelNats, int dimension, DataScaling scaling) {
    return -dataNats(modelNats, dimension, scaling) / (dimension * Math.log(2)) + 8;
  }

  /**
   * Uniform dequantisation of 8-bit values given in [0, 1] as {@code k / 255}: {@code (k + u) /
   * 256}.
   *
   * @throws IllegalArgumentException naming the first value that is not within 1e-3 of a multiple
   *     of 1/255
   */
  public static double[] dequantize(float[] data, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] out = new double[data.length];
    for (int i = 0; i < data.length; i++) {
      double k = data[i] * 255.0;
      long level = Math.round(k);
      if (!(Math.abs(k - level) < 0.255) || level < 0 || level > 255) {
        throw new IllegalArgumentException(
            "value "
                + i
                + " is "
                + data[i]
                + ", not an 8-bit level k/255 in [0, 1];"
                + " bits per dimension are for 8-bit images (give --continuous for nats of real-valued data)");
      }
      out[i] = (level + random.nextDouble()) / 256.0;
    }
    return out;
  }

  /**
   * Data-space examples {@code [n * D]} in model space, as a likelihood computes them: dequantised
   * first when {@code dequantize} (8-bit images reported in bits per dimension), then scaled.
   *
   * @throws IllegalArgumentException when dequantising meets a value that is not an 8-bit level
   */
  public static double[] modelSpace(
      float[] data, DataScaling scaling, boolean dequantize, long seed) {
    double[] x;
    if (dequantize) {
      x = dequantize(data, seed);
    } else {
      x = new double[data.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = data[i];
      }
    }
    for (int i = 0; i < x.length; i++) {
      x[i] = scaling.toModel(x[i]);
    }
    return x;
  }

  /**
   * Per-example model-space log-likelihoods and their standard errors ({@link LikelihoodProcess})
   * in the reported unit: {@code {values, errors}}, bits per dimension when {@code bits}, else
   * data-space nats.
   */
  public static double[][] report(
      double[] modelNats,
      double[] standardErrors,
      int dimension,
      DataScaling scaling,
      boolean bits) {
    double[] values = new double[modelNats.length];
    double[] errors = new double[modelNats.length];
    for (int i = 0; i < values.length; i++) {
      values[i] =
          bits
              ? bitsPerDimension(modelNats[i], dimension, scaling)
              : dataNats(modelNats[i], dimension, scaling);
      errors[i] = bits ? standardErrors[i] / (dimension * Math.log(2)) : standardErrors[i];
    }
    return new double[][] {values, errors};
  }

  /** The unit's name: {@code bits/dim} or {@code nats}. */
  public static String unit(boolean bits) {
    return bits ? "bits/dim" : "nats";
  }

  private static double jacobian(DataScaling scaling) {
    return Math.abs(scaling.toModel(1) - scaling.toModel(0));
  }
}
