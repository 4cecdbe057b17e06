package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import java.util.Arrays;

/**
 * A noiseless linear measurement {@code y = A x} of each sample, the observation of an inverse
 * problem solved by imputation (Song et al. 2021, "Score-based generative modeling through SDEs",
 * section 5 and appendix I.2): a mask for inpainting ({@code A} picks the known values), a
 * per-pixel channel mixing for colorization ({@code A} maps a pixel's colours to its grey level),
 * or a dense matrix for a small problem.
 *
 * <p>Shape: {@code A} is block-diagonal over G groups of C coordinates, group g holding coordinates
 * {@code g + c G} for c in [0, C) (a pixel's channels in channel-first images; one group of all D
 * coordinates for a dense matrix; D groups of one for a mask). Every observed group shares one k x
 * C matrix B with independent rows; each group is observed or not, per sample. The matrix is
 * orthonormalised once, {@code B = L Q} with {@code Q Q' = I} (Gram–Schmidt on the rows), and the
 * observation rewritten as {@code Q x = L^-1 y}, so that the known part of x is {@code Q'Q x} and
 * the forward noise seen through Q stays N(0, I). Everything is held in model space: data values
 * map through the model's {@link DataScaling}, which is affine and the same for every coordinate,
 * so the rewritten measurement is again linear.
 */
public final class LinearMeasurement {
  private final int samples;
  private final int groups;
  private final int channels;
  private final int rowsPerGroup;
  private final double[] q;
  private final boolean[] known;
  private final boolean knownShared;
  private final double[] y;

  private LinearMeasurement(
      int samples,
      int groups,
      int channels,
      double[] q,
      int rowsPerGroup,
      boolean[] known,
      boolean knownShared,
      double[] y) {
    this.samples = samples;
    this.groups = groups;
    this.channels = channels;
    this.q = q;
    this.rowsPerGroup = rowsPerGroup;
    this.known = known;
    this.knownShared = knownShared;
    this.y = y;
  }

  /**
   * Inpainting: the values where {@code mask} is 1 are known. {@code mask} and {@code known} each
   * hold one sample's D values (shared by all samples) or all samples' {@code samples * D}, in data
   * space; {@code known} is read only where the mask is 1.
   *
   * @throws InvalidSettingException naming the mask or the known values when a length, a mask value
   *     (0 or 1) or a known value (finite) is wrong
   */
  public static LinearMeasurement mask(
      int samples, int dimension, float[] mask, float[] known, DataScaling scaling) {
    return perGroup(
        samples, dimension, new double[][] {{1}}, mask, known, scaling, "mask", "known");
  }

  /**
   * A measurement of each group of C = {@code matrix[0].length} coordinates through the k x C
   * {@code matrix}: for colorization, {@code {{1/3, 1/3, 1/3}}} gives a pixel's grey level as the
   * mean of its three channels.
   *
   * @param where 1 where a group is observed, 0 where not: G values (shared) or {@code samples *
   *     G}; null when every group is observed
   * @param observed k values per group, row-major {@code [k][G]} (a k-channel image), for one
   *     sample (shared) or for all, in data space
   * @throws InvalidSettingException naming {@code matrix}, {@code where} or {@code observed} when a
   *     length, a rank or a value is wrong
   */
  public static LinearMeasurement channelMixing(
      int samples,
      int dimension,
      double[][] matrix,
      float[] where,
      float[] observed,
      DataScaling scaling) {
    return perGroup(samples, dimension, matrix, where, observed, scaling, "where", "observed");
  }

  /**
   * Colorization: each pixel's grey level, the mean of its three channels, is known. {@code grey}
   * holds one grey picture {@code [H * W]} (shared) or {@code samples} of them, in data space; the
   * samples are {@code [3, H, W]}.
   *
   * @throws InvalidSettingException naming {@code matrix} (samples of other than 3 channels) or
   *     {@code observed}
   */
  public static LinearMeasurement colorization(
      int samples, int dimension, float[] grey, DataScaling scaling) {
    return channelMixing(
        samples, dimension, new double[][] {{1.0 / 3, 1.0 / 3, 1.0 / 3}}, null, grey, scaling);
  }

  private static LinearMeasurement perGroup(
      int samples,
      int dimension,
      double[][] matrix,
      float[] where,
      float[] observed,
      DataScaling scaling,
      String whereField,
      String valueField) {
    if (samples <= 0) {
      throw new InvalidSettingException(
          "samples", "the number of samples must be positive, got " + samples);
    }
    int k = matrix.length;
    int c = k == 0 ? 0 : matrix[0].length;
    if (k == 0 || c == 0 || k > c) {
      throw new InvalidSettingException(
          "matrix", "a measurement matrix needs 1 to C rows of C > 0 values, got " + k + " x " + c);
    }
    if (dimension % c != 0) {
      throw new InvalidSettingException(
          "matrix",
          "the matrix mixes groups of "
              + c
              + " values, which do not divide"
              + " the "
              + dimension
              + " values of a sample");
    }
    int g = dimension / c;
    boolean[] isKnown = flags(where, samples, g, whereField);
    boolean shared = isKnown.length == g;
    double[] lower = new double[k * k];
    double[] qRows = orthonormalise(matrix, lower);
    long perSample = (long) g * k;
    if (observed == null
        || (observed.length != perSample && observed.length != perSample * samples)) {
      throw new InvalidSettingException(
          valueField,
          valueField
              + " needs "
              + perSample
              + " values (one sample) or "
              + perSample * samples
              + " ("
              + samples
              + " samples), got "
              + (observed == null ? "none" : observed.length));
    }
    double offset = scaling.toModel(0);
    double gain = scaling.toModel(1) - offset;
    double[] y = new double[Math.toIntExact(perSample * samples)];
    double[] row = new double[k];
    for (int s = 0; s < samples; s++) {
      for (int group = 0; group < g; group++) {
        if (!isKnown[shared ? group : s * g + group]) {
          continue;
        }
        for (int r = 0; r < k; r++) {
          int at =
              observed.length == perSample ? r * g + group : s * (int) perSample + r * g + group;
          float v = observed[at];
          if (!Float.isFinite(v)) {
            throw new InvalidSettingException(
                valueField,
                valueField
                    + " value "
                    + v
                    + " at index "
                    + at
                    + " is not finite where the measurement is known");
          }
          double rowSum = 0;
          for (int j = 0; j < c; j++) {
            rowSum += matrix[r][j];
          }
          row[r] = gain * v + offset * rowSum;
        }
        for (int r = 0; r < k; r++) {
          double acc = row[r];
          for (int j = 0; j < r; j++) {
            acc -= lower[r * k + j] * y[(s * g + group) * k + j];
          }
          y[(s * g + group) * k + r] = acc / lower[r * k + r];
        }
      }
    }
    return new LinearMeasurement(samples, g, c, qRows, k, isKnown, shared, y);
  }

  private static boolean[] flags(float[] where, int samples, int g, String field) {
    if (where == null) {
      boolean[] all = new boolean[g];
      Arrays.fill(all, true);
      return all;
    }
    if (where.length != g && (long) where.length != (long) g * samples) {
      throw new InvalidSettingException(
          field,
          field
              + " needs "
              + g
              + " values (one sample) or "
              + (long) g * samples
              + " ("
              + samples
              + " samples), got "
              + where.length);
    }
    boolean[] out = new boolean[where.length];
    for (int i = 0; i < where.length; i++) {
      if (where[i] != 0 && where[i] != 1) {
        throw new InvalidSettingException(
            field,
            field + " values must be 0 (unknown) or 1 (known); index " + i + " holds " + where[i]);
      }
      out[i] = where[i] == 1;
    }
    return out;
  }

  /**
   * Gram–Schmidt on the rows of B: returns Q row-major and fills L (lower triangular, k x k) with B
   * = L Q.
   */
  private static double[] orthonormalise(double[][] b, double[] lower) {
    int k = b.length;
    int c = b[0].length;
    double[] q = new double[k * c];
    for (int r = 0; r < k; r++) {
      if (b[r].length != c) {
        throw new InvalidSettingException(
            "matrix", "every matrix row needs " + c + " values; row " + r + " has " + b[r].length);
      }
      double scale = 0;
      for (int j = 0; j < c; j++) {
        if (!Double.isFinite(b[r][j])) {
          throw new InvalidSettingException(
              "matrix", "matrix value " + b[r][j] + " in row " + r + " is not finite");
        }
        q[r * c + j] = b[r][j];
        scale = Math.max(scale, Math.abs(b[r][j]));
      }
      for (int p = 0; p < r; p++) {
        double dot = 0;
        for (int j = 0; j < c; j++) {
          dot += q[p * c + j] * b[r][j];
        }
        lower[r * k + p] = dot;
        for (int j = 0; j < c; j++) {
          q[r * c + j] -= dot * q[p * c + j];
        }
      }
      double norm = 0;
      for (int j = 0; j < c; j++) {
        norm += q[r * c + j] * q[r * c + j];
      }
      norm = Math.sqrt(norm);
      if (!(norm > 1e-9 * scale) || scale == 0) {
        throw new InvalidSettingException(
            "matrix",
            "matrix row "
                + r
                + " is zero or a combination of the rows"
                + " above it; the rows must be independent");
      }
      lower[r * k + r] = norm;
      for (int j = 0; j < c; j++) {
        q[r * c + j] /= norm;
      }
    }
    return q;
  }

  public int samples() {
    return samples;
  }

  /** D, the values in one sample. */
  public int dimension() {
    return groups * channels;
  }

  /**
   * Values of the observation per sample, known or not: {@code G k}; the layout of {@link
   * #observation}.
   */
  int valuesPerSample() {
    return groups * rowsPerGroup;
  }

  /** Whether group g of sample s is observed. */
  boolean known(int sample, int group) {
    return known[knownShared ? group : sample * groups + group];
  }

  int groups() {
    return groups;
  }

  int rowsPerGroup() {
    return rowsPerGroup;
  }

  /**
   * The observation {@code Q x} of sample s, group g, row r, in model space (0 where the group is
   * unknown).
   */
  double observation(int sample, int group, int row) {
    return y[(sample * groups + group) * rowsPerGroup + row];
  }

  /** {@code Q x} for group g of the sample at {@code offset} in {@code x}, row r. */
  double project(double[] x, int offset, int group, int row) {
    double acc = 0;
    for (int c = 0; c < channels; c++) {
      acc += q[row * channels + c] * x[offset + group + c * groups];
    }
    return acc;
  }

  /**
   * Replaces the known part of the sample at {@code offset} in {@code x} by the values {@code
   * target} (layout of {@link #observation}, from {@code targetOffset}): {@code x <- x + Q'(target
   * - Q x)} on every observed group.
   */
  void impute(int sample, double[] x, int offset, double[] target, int targetOffset) {
    for (int g = 0; g < groups; g++) {
      if (!known(sample, g)) {
        continue;
      }
      for (int r = 0; r < rowsPerGroup; r++) {
        double gap = target[targetOffset + g * rowsPerGroup + r] - project(x, offset, g, r);
        for (int c = 0; c < channels; c++) {
          x[offset + g + c * groups] += q[r * channels + c] * gap;
        }
      }
    }
  }
}
