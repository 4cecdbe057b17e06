package io.scorestream.jobs;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.sample.InvalidSettingException;
import io.scorestream.core.sample.LinearMeasurement;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.Samplers;
import io.scorestream.proto.v1.Colorization;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.Inpainting;
import io.scorestream.proto.v1.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A request's inverse problem as its messages give it (inpainting: known values and a mask;
 * colorization: grey levels), decoded once for every service and turned into core's {@link
 * LinearMeasurement} against a model, with every error naming the request field at fault.
 *
 * @param field the conditioning's JSON path: {@code conditioning.inpainting} or {@code
 *     conditioning.colorization}
 * @param where inpainting: the mask tensor; colorization: null (every pixel's grey level is given)
 * @param values inpainting: the known values; colorization: the grey levels
 * @param particles particles per sample, 1 or more
 */
public record InverseProblem(String field, Tensor where, Tensor values, int particles) {
  /**
   * The request's inverse problem, or null when it asks for none; refuses malformed tensors and
   * particles.
   */
  static InverseProblem of(GenerateRequest request) {
    switch (request.getConditioning().getKindCase()) {
      case INPAINTING -> {
        Inpainting p = request.getConditioning().getInpainting();
        String f = "conditioning.inpainting";
        return new InverseProblem(
            f,
            Tensors.floatInput(p.hasMask() ? p.getMask() : null, f + ".mask"),
            Tensors.floatInput(p.hasKnown() ? p.getKnown() : null, f + ".known"),
            particles(p.getParticles(), f));
      }
      case COLORIZATION -> {
        Colorization c = request.getConditioning().getColorization();
        String f = "conditioning.colorization";
        return new InverseProblem(
            f,
            null,
            Tensors.floatInput(c.hasGray() ? c.getGray() : null, f + ".gray"),
            particles(c.getParticles(), f));
      }
      default -> {
        return null;
      }
    }
  }

  /**
   * The rows a request's sampler evaluates: its samples times the particles its inverse problem
   * asks for (1 when none), for a scheduler's accounting; the request's checks bound both.
   */
  public static long rows(GenerateRequest request) {
    int particles =
        switch (request.getConditioning().getKindCase()) {
          case INPAINTING -> request.getConditioning().getInpainting().getParticles();
          case COLORIZATION -> request.getConditioning().getColorization().getParticles();
          default -> 1;
        };
    return (long) request.getNumSamples()
        * Math.max(1, Math.min(particles, Samplers.MAX_PARTICLES));
  }

  /** The labels the inverse problem's message carries for a class-conditional model. */
  static List<Long> labels(GenerateRequest request) {
    return switch (request.getConditioning().getKindCase()) {
      case INPAINTING -> request.getConditioning().getInpainting().getLabelsList();
      case COLORIZATION -> request.getConditioning().getColorization().getLabelsList();
      default -> List.of();
    };
  }

  private static int particles(int given, String field) {
    if (given < 0 || given > Samplers.MAX_PARTICLES) {
      throw Problem.invalid(
              field + ".particles",
              field + ".particles must be 0 to " + Samplers.MAX_PARTICLES + ", got " + given)
          .exception();
    }
    return Math.max(1, given);
  }

  /**
   * Checks the problem against the model at intake: first its fit (what the model cannot take at
   * all outranks a missing label), then the sampler settings, labels and particles, then the rows
   * it evaluates.
   *
   * @throws RequestException naming the field
   */
  void check(
      SamplerSpec spec, ModelInfo model, int samples, long[] labels, RequestChecks.Limits limits) {
    measurement(model, samples);
    try {
      Samplers.checkImputation(spec, model, samples, model.dimension(), particles, labels);
    } catch (InvalidSettingException e) {
      throw problem(e).exception();
    }
    if (rows(samples) > limits.maxSamplesPerJob()) {
      throw new Problem(
              FailureCode.TOO_LARGE,
              field + ".particles",
              field
                  + ".particles: "
                  + samples
                  + " samples of "
                  + particles
                  + " particles each are "
                  + rows(samples)
                  + " rows, more than the "
                  + limits.maxSamplesPerJob()
                  + " a job may run; ask for fewer samples or particles")
          .exception();
    }
  }

  /**
   * The measurement of {@code samples} samples of {@code model}: each tensor must be one sample's
   * shape with a leading 1, or {@code samples} of them.
   *
   * @throws RequestException naming the field whose shape or values do not fit
   */
  public LinearMeasurement measurement(ModelInfo model, int samples) {
    int[] shape = model.dataShape();
    boolean colour = where == null;
    int[] one = shape;
    if (colour) {
      if (shape.length != 3 || shape[0] != 3) {
        throw Problem.invalid(
                field,
                field
                    + ": colorization needs a colour image model ([3, H, W]); "
                    + model.name()
                    + " makes "
                    + Arrays.toString(shape))
            .exception();
      }
      one = new int[] {1, shape[1], shape[2]};
    }
    float[] v = values(values, one, samples, field + (colour ? ".gray" : ".known"));
    try {
      if (colour) {
        return LinearMeasurement.colorization(samples, model.dimension(), v, model.scaling());
      }
      float[] m = values(where, shape, samples, field + ".mask");
      return LinearMeasurement.mask(samples, model.dimension(), m, v, model.scaling());
    } catch (InvalidSettingException e) {
      String at = field + "." + (e.setting().equals("mask") ? "mask" : colour ? "gray" : "known");
      throw Problem.invalid(at, at + ": " + e.getMessage()).exception();
    }
  }

  /**
   * The tensor's values when its shape is [1 or samples, ...one]; else a refusal naming the field.
   */
  private static float[] values(Tensor t, int[] one, int samples, String field) {
    long[] given = t.getShapeList().stream().mapToLong(Long::longValue).toArray();
    boolean fits = given.length == one.length + 1 && (given[0] == 1 || given[0] == samples);
    for (int i = 0; fits && i < one.length; i++) {
      fits = given[i + 1] == one[i];
    }
    if (!fits) {
      throw Problem.invalid(
              field,
              field
                  + " must have shape [1, "
                  + join(one)
                  + "] (shared) or ["
                  + samples
                  + ", "
                  + join(one)
                  + "] (numSamples), got "
                  + Arrays.toString(given))
          .exception();
    }
    double[] d = Tensors.doubles(t);
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (float) d[i];
    }
    return out;
  }

  private static String join(int[] shape) {
    return Arrays.toString(shape).replaceAll("[\\[\\]]", "");
  }

  /** A setting core refused for this problem, as the problem of the request field that holds it. */
  public Problem problem(InvalidSettingException e) {
    String at =
        switch (e.setting()) {
          case "particles", "labels" -> field + "." + e.setting();
          case "measurement" -> field;
          default -> JobCodec.field(e.setting());
        };
    return Problem.invalid(at, at + ": " + e.getMessage());
  }

  /** Rows a sampler evaluates for this problem: samples times particles. */
  public long rows(int samples) {
    return (long) samples * particles;
  }
}
