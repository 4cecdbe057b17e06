package io.scorestream.jobs;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.sample.EncodingProcess;
import io.scorestream.core.sample.LatentInterpolation;
import io.scorestream.core.sample.LikelihoodProcess;
import io.scorestream.core.sample.LikelihoodUnits;
import io.scorestream.core.sample.SamplerKind;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.proto.v1.Completed;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.LikelihoodTask;
import io.scorestream.proto.v1.Tensor;
import java.util.Arrays;

/**
 * A request's task of given data ({@code likelihood} or {@code encode}), decoded once for every
 * service: checked at intake against the model, started as core's batchable process, and finished
 * as the completed event's payload. Both run the probability-flow ODE from eps to T over the
 * examples (in model space): the likelihood with the divergence integrals of {@link
 * LikelihoodProcess} (dequantised 8-bit images reported in bits per dimension, other data in nats),
 * the encoding with {@link EncodingProcess} (the codes at T come back as the samples, model space).
 *
 * @param field the task's JSON name: {@code likelihood} or {@code encode}
 * @param data the examples, {@code [numSamples, ...data shape]}, data space
 * @param probes likelihood: the trace estimator
 * @param count likelihood: probes per example
 * @param bits likelihood: report bits per dimension of 8-bit data when the model is an image model
 * @param walk encode: codes on the great circle between the two examples' codes instead of their
 *     codes, or 0
 */
public record DataTask(
    String field, Tensor data, LikelihoodProcess.Probes probes, int count, boolean bits, int walk) {
  /** The most probes per example (as the likelihood command allows). */
  public static final int MAX_PROBES = 1024;

  /** The most codes of a walk between two examples. */
  public static final int MAX_WALK = 256;

  /**
   * The request's task, or null when it draws samples; refuses malformed tensors and probe counts.
   */
  static DataTask of(GenerateRequest request) {
    switch (request.getTaskCase()) {
      case LIKELIHOOD -> {
        LikelihoodTask t = request.getLikelihood();
        if (t.getProbes() < 0 || t.getProbes() > MAX_PROBES) {
          throw Problem.invalid(
                  "likelihood.probes",
                  "likelihood.probes must be 0 (one) to " + MAX_PROBES + ", got " + t.getProbes())
              .exception();
        }
        LikelihoodProcess.Probes kind =
            t.getExact()
                ? LikelihoodProcess.Probes.EXACT
                : t.getRademacher()
                    ? LikelihoodProcess.Probes.RADEMACHER
                    : LikelihoodProcess.Probes.GAUSSIAN;
        Tensor data = Tensors.floatInput(t.hasData() ? t.getData() : null, "likelihood.data");
        return new DataTask(
            "likelihood", data, kind, Math.max(1, t.getProbes()), !t.getContinuous(), 0);
      }
      case ENCODE -> {
        Tensor data = request.getEncode().hasData() ? request.getEncode().getData() : null;
        int walk = request.getEncode().getInterpolate();
        if (walk != 0 && (walk < 2 || walk > MAX_WALK || request.getNumSamples() != 2)) {
          throw Problem.invalid(
                  "encode.interpolate",
                  "encode.interpolate: a walk has 2 to "
                      + MAX_WALK
                      + " codes"
                      + " between exactly two examples (numSamples 2); got "
                      + walk
                      + " codes for "
                      + request.getNumSamples()
                      + " examples")
              .exception();
        }
        return new DataTask(
            "encode", Tensors.floatInput(data, "encode.data"), null, 0, false, walk);
      }
      default -> {
        return null;
      }
    }
  }

  boolean likelihood() {
    return probes != null;
  }

  /**
   * About the rows a request's task evaluates per model call, before it is checked (for a
   * scheduler's admission; it never throws): {@link #rows} with the exact trace's dimension read
   * from the data's shape, at most {@link LikelihoodProcess#MAX_EXACT_DIMENSION}, and the probes
   * clamped as the check would; 0 without a task.
   */
  public static long rowsEstimate(GenerateRequest request) {
    int n = request.getNumSamples();
    return switch (request.getTaskCase()) {
      case LIKELIHOOD -> {
        var l = request.getLikelihood();
        long dimension = 1;
        for (int i = 1; i < l.getData().getShapeCount(); i++) {
          long extent =
              Math.min(LikelihoodProcess.MAX_EXACT_DIMENSION, Math.max(1, l.getData().getShape(i)));
          dimension = Math.min(LikelihoodProcess.MAX_EXACT_DIMENSION, dimension * extent);
        }
        yield rows(
            true,
            l.getExact(),
            Math.max(1, Math.min(MAX_PROBES, l.getProbes())),
            n,
            (int) dimension);
      }
      case ENCODE -> n;
      default -> 0;
    };
  }

  /**
   * Rows of a model call for {@code n} examples of {@code dimension} values: {@code n (1 + 2K)} for
   * a likelihood (the points and the finite-difference pairs of its K probes; K = D for the exact
   * trace), n for an encoding.
   */
  public long rows(int n, int dimension) {
    return rows(likelihood(), probes == LikelihoodProcess.Probes.EXACT, count, n, dimension);
  }

  private static long rows(boolean likelihood, boolean exact, int count, int n, int dimension) {
    return likelihood ? (long) n * (1 + 2L * (exact ? dimension : count)) : n;
  }

  /**
   * Checks the task against the model: the data's shape, finiteness and (for bits per dimension)
   * 8-bit levels, the exact trace's dimension, the rows it evaluates; the sampler settings must be
   * the ODE's.
   *
   * @throws RequestException naming the field
   */
  void check(SamplerSpec spec, ModelInfo model, int n, RequestChecks.Limits limits) {
    if (spec.kind() != SamplerKind.ODE && spec.kind() != SamplerKind.PC || spec.latent() != null) {
      throw Problem.invalid(
              "sampler.kind",
              "sampler.kind: a "
                  + field
                  + " job runs the probability-flow ODE; leave"
                  + " sampler.kind unset (or ODE) and give no latent")
          .exception();
    }
    modelSpace(model, n, 0);
    if (probes == LikelihoodProcess.Probes.EXACT
        && model.dimension() > LikelihoodProcess.MAX_EXACT_DIMENSION) {
      throw Problem.invalid(
              "likelihood.exact",
              "likelihood.exact: the exact trace is for data of at most "
                  + LikelihoodProcess.MAX_EXACT_DIMENSION
                  + " values; "
                  + model.name()
                  + " has "
                  + model.dimension()
                  + ": use probes")
          .exception();
    }
    if ((long) walk * model.dimension() * Float.BYTES > limits.maxResultBytes()) {
      throw new Problem(
              FailureCode.TOO_LARGE,
              "encode.interpolate",
              "encode.interpolate: "
                  + walk
                  + " codes of "
                  + model.name()
                  + " are more than a job's result can hold")
          .exception();
    }
    if (rows(n, model.dimension()) > limits.maxSamplesPerJob()) {
      throw new Problem(
              FailureCode.TOO_LARGE,
              field + ".data",
              field
                  + ": "
                  + n
                  + " examples evaluate "
                  + rows(n, model.dimension())
                  + " rows per model call, more than the "
                  + limits.maxSamplesPerJob()
                  + " a job may; send fewer examples"
                  + (likelihood() ? " or probes" : ""))
          .exception();
    }
  }

  /**
   * The examples in model space (dequantised for bits per dimension), refused unless they fit the
   * model.
   */
  private double[] modelSpace(ModelInfo model, int n, long seed) {
    String at = field + ".data";
    long[] want = new long[model.dataShape().length + 1];
    want[0] = n;
    for (int i = 0; i < model.dataShape().length; i++) {
      want[i + 1] = model.dataShape()[i];
    }
    long[] given = data.getShapeList().stream().mapToLong(Long::longValue).toArray();
    if (!Arrays.equals(want, given)) {
      throw Problem.invalid(
              at,
              at
                  + " must have shape "
                  + Arrays.toString(want)
                  + " (numSamples, then the model's"
                  + " data shape), got "
                  + Arrays.toString(given))
          .exception();
    }
    double[] d = Tensors.doubles(data);
    float[] values = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      if (!Double.isFinite(d[i])) {
        throw Problem.invalid(at, at + ": value " + i + " is " + d[i]).exception();
      }
      values[i] = (float) d[i];
    }
    try {
      return LikelihoodUnits.modelSpace(values, model.scaling(), bitsPerDimension(model), seed);
    } catch (IllegalArgumentException e) {
      throw Problem.invalid(
              at, at + ": " + e.getMessage().replace("--continuous", "likelihood.continuous"))
          .exception();
    }
  }

  private boolean bitsPerDimension(ModelInfo model) {
    return likelihood() && bits && model.isImage();
  }

  /**
   * Starts the task's process on {@code n} examples; the seed draws the probes and the
   * dequantisation.
   */
  public SamplingProcess start(SamplerSpec spec, ModelInfo model, int n, long seed, long[] labels) {
    double[] x = modelSpace(model, n, seed);
    double eps = Double.isNaN(spec.eps()) ? model.eps() : spec.eps();
    return likelihood()
        ? new LikelihoodProcess(
            model.sde(),
            x,
            model.dimension(),
            labels,
            model.scaling(),
            probes,
            count,
            seed,
            eps,
            spec.rtol(),
            spec.atol())
        : new EncodingProcess(
            model.sde(), spec, x, model.dimension(), labels, model.scaling(), eps);
  }

  /**
   * The completed event of a finished process: per-example values and errors, or the codes as the
   * samples.
   */
  public Completed.Builder completed(SamplingProcess p, ModelInfo model, int n) {
    Completed.Builder c = Completed.newBuilder().setNfe(p.nfe());
    if (p instanceof LikelihoodProcess l) {
      boolean bitsPerDim = bitsPerDimension(model);
      double[][] reported =
          LikelihoodUnits.report(
              l.logLikelihood(),
              l.standardErrors(),
              model.dimension(),
              model.scaling(),
              bitsPerDim);
      return c.setValues(Tensors.ofDoubles(reported[0]))
          .setStandardErrors(Tensors.ofDoubles(reported[1]))
          .setUnit(LikelihoodUnits.unit(bitsPerDim));
    }
    double[] codes = ((EncodingProcess) p).latents();
    int rows = n;
    if (walk > 0) {
      int d = model.dimension();
      codes =
          LatentInterpolation.slerp(
              Arrays.copyOfRange(codes, 0, d), Arrays.copyOfRange(codes, d, 2 * d), walk);
      rows = walk;
    }
    float[] f = new float[codes.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) codes[i];
    }
    return c.setSamples(Tensors.of(f, rows, model.dataShape()));
  }
}
