package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.Sde;

/**
 * One job's sampler, written as a sequence of score evaluations separated by pure arithmetic: it
 * exposes the points it needs scored ({@link #queryPoints()} at {@link #queryTime()}), and {@link
 * #supply} continues the arithmetic up to the next evaluation. A scheduler can therefore put the
 * queries of many jobs, at different steps and with different samplers, into one model call.
 *
 * <p>Shapes: {@code samples} rows of {@code dimension} values, row-major, in model space. A
 * non-finite score or state stops this job with a {@link SamplingFailure} naming the step; no other
 * job is touched.
 */
public abstract class SamplingProcess {
  private final int samples;
  private final int dimension;
  private final long[] labels;
  private final DataScaling scaling;
  private final Sde sde;
  private final float[] query;
  private final int rowsPerSample;

  /** The last evaluation's points and score, kept only when a denoised preview is wanted. */
  private float[] scoredPoints;

  private float[] lastScore;
  private double scoredTime = Double.NaN;
  private double[] scoredTimes;
  private double queryTime;

  /** One time per sample when the samples stand at different times, else null. */
  private double[] sampleTimes;

  private long nfe;
  private SamplingFailure failure;

  protected SamplingProcess(
      Sde sde, int samples, int dimension, long[] labels, DataScaling scaling) {
    this(sde, samples, dimension, labels, scaling, 1);
  }

  /**
   * A process that evaluates {@code rowsPerSample} rows (particles) for each of its samples: {@code
   * samples} counts the rows, and the previews show the first row of each sample.
   */
  protected SamplingProcess(
      Sde sde, int samples, int dimension, long[] labels, DataScaling scaling, int rowsPerSample) {
    if (samples <= 0) {
      throw new IllegalArgumentException("number of samples must be positive, got " + samples);
    }
    if (labels != null && labels.length != samples) {
      throw new IllegalArgumentException(
          "need one class label per sample: " + labels.length + " for " + samples);
    }
    this.samples = samples;
    this.dimension = dimension;
    this.labels = labels;
    this.scaling = scaling;
    this.sde = sde;
    this.query = new float[samples * dimension];
    this.rowsPerSample = rowsPerSample;
  }

  public final int samples() {
    return samples;
  }

  public final int dimension() {
    return dimension;
  }

  /** Class labels, one per sample, or null for an unconditional job. */
  public final long[] labels() {
    return labels;
  }

  /**
   * The points of the pending evaluation, {@code [samples * dimension]}, model space. Valid until
   * supply.
   */
  public final float[] queryPoints() {
    return query;
  }

  /**
   * The diffusion time of the pending evaluation: the time of every sample, or the latest one where
   * the samples stand at different times (see {@link #queryTime(int)}).
   */
  public final double queryTime() {
    return queryTime;
  }

  /**
   * The diffusion time at which row {@code row} of the pending evaluation is to be scored: a
   * sampler with per-sample steps (the adaptive SDE solver) queries its samples at different times.
   */
  public final double queryTime(int row) {
    return sampleTimes == null ? queryTime : sampleTimes[row / rowsPerSample];
  }

  /** True when every row of the pending evaluation is at {@link #queryTime()}. */
  public final boolean uniformQueryTime() {
    return sampleTimes == null;
  }

  /** Score evaluations consumed so far (one per sample batch, not per sample). */
  public final long nfe() {
    return nfe;
  }

  /** True once the job has its result or has failed. */
  public final boolean finished() {
    return failure != null || done();
  }

  /** The failure that stopped this job, or null. */
  public final SamplingFailure failure() {
    return failure;
  }

  /**
   * Supplies the score of the pending query, {@code samples * dimension} values from {@code offset}
   * in {@code score}, and runs the arithmetic up to the next query. A non-finite score or state
   * fails the job, naming the step and whether the network or the arithmetic produced it.
   */
  public final void supply(float[] score, int offset) {
    if (finished()) {
      throw new IllegalStateException("job already finished");
    }
    nfe++;
    if (lastScore != null) {
      System.arraycopy(query, 0, scoredPoints, 0, query.length);
      System.arraycopy(score, offset, lastScore, 0, query.length);
      scoredTime = queryTime;
      scoredTimes = sampleTimes == null ? null : sampleTimes.clone();
    }
    advance(score, offset);
    int bad = done() ? firstNonFinite(output()) : firstNonFinite(query);
    if (bad >= 0) {
      int sample = bad / dimension;
      int badScore = firstNonFinite(score, offset + sample * dimension, dimension);
      fail(
          badScore >= 0
              ? "the score network returned "
                  + score[offset + sample * dimension + badScore]
                  + " for sample "
                  + sample
                  + " at step "
                  + progress().step()
                  + " (t="
                  + queryTime
                  + ")"
              : "sample "
                  + sample
                  + " became non-finite at step "
                  + progress().step()
                  + " (t="
                  + queryTime
                  + "); lower the step size or snr, or raise the step count");
    }
  }

  /** Samples in data space, {@code [samples * dimension]}; only once finished without failure. */
  public final float[] result() {
    if (failure != null || !done()) {
      throw new IllegalStateException(failure != null ? failure.message() : "job not finished");
    }
    double[] x = output();
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) scaling.toData(x[i]);
    }
    return out;
  }

  /**
   * The current positions in data space, {@code [samples * dimension]} (the first row of each
   * sample where a sample has several): a preview of the samples forming.
   */
  public final float[] preview() {
    float[] out = new float[query.length / rowsPerSample];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) scaling.toData(query[rowOf(i)]);
    }
    return out;
  }

  /** The index in the evaluated rows of value i of the preview. */
  private int rowOf(int i) {
    return rowsPerSample == 1 ? i : (i / dimension) * rowsPerSample * dimension + i % dimension;
  }

  /**
   * Keeps each evaluation's points and score from now on (two copies of {@code samples * dimension}
   * floats per evaluation) so that {@link #denoisedPreview} can be asked for.
   */
  public final void keepDenoisedEstimate() {
    if (lastScore == null) {
      scoredPoints = new float[query.length];
      lastScore = new float[query.length];
    }
  }

  /**
   * Tweedie's estimate of the clean samples from the last evaluation, in data space, {@code
   * [samples * dimension]}: {@code E[x(0) | x(t)] = (x(t) + sigma(t)^2 s(x(t), t)) / m(t)} for the
   * kernel {@code N(m(t) x(0), sigma(t)^2)} (Efron, "Tweedie's formula and selection bias", 2011;
   * the denoising step of Song et al. 2021). Before the first evaluation it is the current
   * positions. Needs {@link #keepDenoisedEstimate} first.
   */
  public final float[] denoisedPreview() {
    if (lastScore == null) {
      throw new IllegalStateException(
          "call keepDenoisedEstimate() before asking for a denoised preview");
    }
    if (Double.isNaN(scoredTime)) {
      return preview();
    }
    float[] out = new float[query.length / rowsPerSample];
    double time = Double.NaN;
    double m = 0;
    double var = 0;
    for (int i = 0; i < out.length; i++) {
      int at = rowOf(i);
      double rowTime =
          scoredTimes == null ? scoredTime : scoredTimes[at / dimension / rowsPerSample];
      if (rowTime != time) {
        time = rowTime;
        m = sde.meanCoefficient(time);
        var = sde.marginalStd(time) * sde.marginalStd(time);
      }
      out[i] = (float) scaling.toData((scoredPoints[at] + var * lastScore[at]) / m);
    }
    return out;
  }

  /**
   * The start {@code x(T)}, {@code samples * dimension} values in model space: a copy of {@code
   * latent} when given, else a draw from the SDE's prior {@code N(0, priorStd^2 I)} by {@code
   * noise} (the job's seeded generator, which a stochastic sampler goes on drawing from).
   *
   * @throws IllegalArgumentException when the latent has another size
   */
  static double[] start(Sde sde, double[] latent, int samples, int dimension, GaussianNoise noise) {
    int size = samples * dimension;
    double[] x = new double[size];
    if (latent != null) {
      if (latent.length != size) {
        throw new IllegalArgumentException(
            "latent has "
                + latent.length
                + " values, expected "
                + size
                + " ("
                + samples
                + " samples of "
                + dimension
                + ")");
      }
      System.arraycopy(latent, 0, x, 0, size);
    } else {
      noise.fill(x);
      for (int i = 0; i < size; i++) {
        x[i] *= sde.priorStd();
      }
    }
    return x;
  }

  /**
   * Tweedie's data prediction {@code D = (x + sigma^2 s) / alpha} of the state {@code x} whose
   * score is {@code score} from {@code off}, for the kernel {@code N(alpha x(0), sigma^2)}, into
   * {@code d} (which may be x itself); returns d.
   */
  static double[] dataPrediction(
      double[] x, float[] score, int off, double alpha, double sigma, double[] d) {
    double s2 = sigma * sigma;
    for (int k = 0; k < x.length; k++) {
      d[k] = (x[k] + s2 * score[off + k]) / alpha;
    }
    return d;
  }

  /**
   * Checks that {@code eps}, the smallest time sampled, lies in {@code (0, T)}.
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  static void checkEps(Sde sde, double eps) {
    if (!(eps > 0 && eps < sde.horizon())) {
      throw new IllegalArgumentException(
          "eps " + eps + " must lie in (0, T=" + sde.horizon() + ")");
    }
  }

  /** Where the job stands. */
  public abstract StepProgress progress();

  /** True once the last evaluation has been supplied. */
  protected abstract boolean done();

  /** Consumes one evaluation and sets up the next query through {@link #setQuery}. */
  protected abstract void advance(float[] score, int offset);

  /** The final state in model space. */
  protected abstract double[] output();

  /** Sets the next query to {@code x} (rounded to float32) at time {@code t}. */
  protected final void setQuery(double[] x, double t) {
    for (int i = 0; i < query.length; i++) {
      query[i] = (float) x[i];
    }
    queryTime = t;
    sampleTimes = null;
  }

  /**
   * Sets the next query to {@code x} (rounded to float32), sample k at time {@code times[k]}; the
   * array is the caller's and must not change until supply.
   */
  protected final void setQuery(double[] x, double[] times) {
    if (times.length != samples / rowsPerSample) {
      throw new IllegalArgumentException(
          "need one time per sample: " + times.length + " for " + samples / rowsPerSample);
    }
    double latest = times[0];
    for (double t : times) {
      latest = Math.max(latest, t);
    }
    setQuery(x, latest);
    sampleTimes = times;
  }

  private static int firstNonFinite(float[] values) {
    return firstNonFinite(values, 0, values.length);
  }

  private static int firstNonFinite(float[] values, int offset, int length) {
    for (int i = 0; i < length; i++) {
      if (!Float.isFinite(values[offset + i])) {
        return i;
      }
    }
    return -1;
  }

  private static int firstNonFinite(double[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Stops the job with a reason. */
  protected final void fail(String message) {
    if (failure == null) {
      failure = new SamplingFailure(progress().step(), message);
    }
  }
}
