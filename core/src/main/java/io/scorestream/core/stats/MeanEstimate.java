package io.scorestream.core.stats;

/**
 * The mean of independent draws and its standard error, {@code s / sqrt(n)} with {@code s} the
 * sample standard deviation (Bessel's correction): how a likelihood job's per-example values are
 * summed up.
 *
 * @param mean the sample mean (NaN for no draws)
 * @param standardError the standard error of the mean (NaN for fewer than two draws)
 * @param count the number of draws
 */
public record MeanEstimate(double mean, double standardError, int count) {

  /** The estimate from {@code values} (shape {@code [n]}), in their unit. */
  public static MeanEstimate of(double[] values) {
    int n = values.length;
    if (n == 0) {
      return new MeanEstimate(Double.NaN, Double.NaN, 0);
    }
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    double mean = sum / n;
    if (n == 1) {
      return new MeanEstimate(mean, Double.NaN, 1);
    }
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    return new MeanEstimate(mean, Math.sqrt(squares / (n - 1) / n), n);
  }
}
