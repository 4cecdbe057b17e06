package io.scorestream.jobs;

import io.scorestream.core.sample.CorrectorKind;
import io.scorestream.core.sample.InvalidSettingException;
import io.scorestream.core.sample.OdeMethod;
import io.scorestream.core.sample.PredictorKind;
import io.scorestream.core.sample.SamplerKind;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.TimeSpacing;
import io.scorestream.proto.v1.Corrector;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.OdeSolver;
import io.scorestream.proto.v1.Predictor;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.proto.v1.Tensor;
import java.util.List;
import java.util.Locale;

/**
 * The one mapping between the wire messages and {@code core}'s settings, used by every service.
 * Every field of {@link SamplerSettings} is mapped; an unset field or an {@code *_UNSPECIFIED} enum
 * takes core's default (written once, in {@link SamplerSpec.Builder}); an enum number this build
 * does not know is refused, never run as the default. Errors are {@link RequestException}s naming
 * the field by its protobuf JSON path.
 */
public final class JobCodec {
  private JobCodec() {}

  /**
   * A request decoded for core: its sampler settings, its class labels (null for none), one per
   * sample, its inverse problem (null for plain sampling), its task of given data (null when it
   * draws samples) and its classifier guidance (null for none).
   */
  public record Decoded(
      SamplerSpec spec,
      long[] labels,
      InverseProblem inverse,
      DataTask task,
      ClassifierGuidance guidance) {}

  /** Decodes a request's sampler settings, conditioning and task. */
  public static Decoded decode(GenerateRequest request) {
    DataTask task = DataTask.of(request);
    var conditioning = request.getConditioning().getKindCase();
    if (task != null
        && conditioning != io.scorestream.proto.v1.Conditioning.KindCase.CLASS_LABELS
        && conditioning != io.scorestream.proto.v1.Conditioning.KindCase.KIND_NOT_SET) {
      throw Problem.invalid(
              "conditioning",
              "conditioning: a "
                  + task.field()
                  + " job takes class labels only, not "
                  + conditioning.name().toLowerCase(Locale.ROOT))
          .exception();
    }
    InverseProblem inverse = InverseProblem.of(request);
    long[] labels = labels(request);
    return new Decoded(
        samplerSpec(request.getSampler()),
        labels,
        inverse,
        task,
        ClassifierGuidance.of(request, labels));
  }

  /**
   * About the rows a request's sampler evaluates per model call: samples, times particles, or a
   * task's rows.
   */
  public static long rows(GenerateRequest request) {
    long task = DataTask.rowsEstimate(request);
    return task > 0 ? task : InverseProblem.rows(request);
  }

  /** The sampler settings of a request, defaults resolved. */
  public static SamplerSpec samplerSpec(SamplerSettings s) {
    SamplerSpec.Builder b = SamplerSpec.builder();
    switch (s.getKind()) {
      case SAMPLER_KIND_UNSPECIFIED -> {}
      case PC -> b.kind(SamplerKind.PC);
      case ODE -> b.kind(SamplerKind.ODE);
      case ALD -> b.kind(SamplerKind.ALD);
      case DPM_SOLVER -> b.kind(SamplerKind.DPM_SOLVER);
      case EDM -> b.kind(SamplerKind.EDM);
      case ADAPTIVE -> b.kind(SamplerKind.ADAPTIVE);
      case UNRECOGNIZED -> throw unknown("sampler.kind", s.getKindValue());
    }
    switch (s.getSpacing()) {
      case TIME_SPACING_UNSPECIFIED -> {}
      case LOG_SNR -> b.spacing(TimeSpacing.LOG_SNR);
      case TIME_UNIFORM -> b.spacing(TimeSpacing.TIME_UNIFORM);
      case TIME_QUADRATIC -> b.spacing(TimeSpacing.TIME_QUADRATIC);
      case UNRECOGNIZED -> throw unknown("sampler.spacing", s.getSpacingValue());
    }
    if (s.hasOrder()) {
      b.order(s.getOrder());
    }
    b.stochastic(s.getStochastic());
    if (s.hasChurn()) {
      b.churn(s.getChurn());
    }
    switch (s.getPredictor()) {
      case PREDICTOR_UNSPECIFIED -> {}
      case REVERSE_DIFFUSION -> b.predictor(PredictorKind.REVERSE_DIFFUSION);
      case EULER_MARUYAMA -> b.predictor(PredictorKind.EULER_MARUYAMA);
      case ANCESTRAL -> b.predictor(PredictorKind.ANCESTRAL);
      case PREDICTOR_NONE -> b.predictor(PredictorKind.NONE);
      case UNRECOGNIZED -> throw unknown("sampler.predictor", s.getPredictorValue());
    }
    switch (s.getCorrector()) {
      case CORRECTOR_UNSPECIFIED -> {}
      case LANGEVIN -> b.corrector(CorrectorKind.LANGEVIN);
      case ANNEALED_LANGEVIN -> b.corrector(CorrectorKind.ANNEALED_LANGEVIN);
      case CORRECTOR_NONE -> b.corrector(CorrectorKind.NONE);
      case UNRECOGNIZED -> throw unknown("sampler.corrector", s.getCorrectorValue());
    }
    switch (s.getOdeSolver()) {
      case ODE_SOLVER_UNSPECIFIED -> {}
      case DORMAND_PRINCE -> b.odeMethod(OdeMethod.DORMAND_PRINCE);
      case EULER -> b.odeMethod(OdeMethod.EULER);
      case HEUN -> b.odeMethod(OdeMethod.HEUN);
      case RK4 -> b.odeMethod(OdeMethod.RK4);
      case UNRECOGNIZED -> throw unknown("sampler.odeSolver", s.getOdeSolverValue());
    }
    b.predictorFirst(s.getPredictorFirst());
    if (s.hasCorrectorSteps()) {
      b.correctorSteps(s.getCorrectorSteps());
    }
    if (s.hasSnr()) {
      b.snr(s.getSnr());
    }
    if (s.hasSteps()) {
      b.steps(s.getSteps());
    }
    if (s.hasDenoise()) {
      b.denoise(s.getDenoise());
    }
    if (s.hasRtol()) {
      b.rtol(s.getRtol());
    }
    if (s.hasAtol()) {
      b.atol(s.getAtol());
    }
    if (s.hasEps()) {
      b.eps(s.getEps());
    }
    if (s.hasLevels()) {
      b.levels(s.getLevels());
    }
    if (s.hasStepLr()) {
      b.stepLr(s.getStepLr());
    }
    if (s.hasLatent()) {
      b.latent(latent(s.getLatent()));
    }
    try {
      return b.build();
    } catch (InvalidSettingException e) {
      throw problem(e).exception();
    }
  }

  private static double[] latent(Tensor latent) {
    return Tensors.doubles(Tensors.floatInput(latent, "sampler.latent"));
  }

  /** A setting core refused, as the problem of the request field that holds it. */
  public static Problem problem(InvalidSettingException e) {
    String field = field(e.setting());
    return Problem.invalid(field, field + ": " + e.getMessage());
  }

  /**
   * The request field that holds a core setting ({@link InvalidSettingException#setting}), as its
   * protobuf JSON path.
   */
  public static String field(String coreSetting) {
    return switch (coreSetting) {
      case "labels" -> "conditioning.classLabels.labels";
      case "samples" -> "numSamples";
      case "odeMethod" -> "sampler.odeSolver";
      default -> "sampler." + coreSetting;
    };
  }

  /**
   * Class labels for the request's samples, or null when it gives none; one label given applies to
   * all samples. They come from {@code conditioning.classLabels}, or from the inverse problem's
   * message for a class-conditional model.
   */
  public static long[] labels(GenerateRequest request) {
    String field;
    List<Long> given;
    switch (request.getConditioning().getKindCase()) {
      case KIND_NOT_SET:
        return null;
      case CLASS_LABELS:
        field = "conditioning.classLabels.labels";
        given = request.getConditioning().getClassLabels().getLabelsList();
        break;
      case INPAINTING, COLORIZATION:
        field =
            "conditioning."
                + request.getConditioning().getKindCase().name().toLowerCase(Locale.ROOT)
                + ".labels";
        given = InverseProblem.labels(request);
        if (given.isEmpty()) {
          return null;
        }
        break;
      default:
        throw Problem.invalid(
                "conditioning",
                "conditioning: unknown kind (this worker knows the kinds of "
                    + "scorestream.v1; is the client newer?)")
            .exception();
    }
    int n = request.getNumSamples();
    if (given.size() != 1 && given.size() != n) {
      throw Problem.invalid(
              field, field + ": give one label or one per sample (" + n + "), got " + given.size())
          .exception();
    }
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      labels[i] = given.get(given.size() == 1 ? 0 : i);
    }
    return labels;
  }

  private static RequestException unknown(String field, int number) {
    return Problem.invalid(
            field,
            field
                + ": unknown value "
                + number
                + " (this worker knows the values of "
                + "scorestream.v1; is the client newer?)")
        .exception();
  }

  /** The wire value of a core sampler kind. */
  public static io.scorestream.proto.v1.SamplerKind wire(SamplerKind kind) {
    return switch (kind) {
      case PC -> io.scorestream.proto.v1.SamplerKind.PC;
      case ODE -> io.scorestream.proto.v1.SamplerKind.ODE;
      case ALD -> io.scorestream.proto.v1.SamplerKind.ALD;
      case DPM_SOLVER -> io.scorestream.proto.v1.SamplerKind.DPM_SOLVER;
      case EDM -> io.scorestream.proto.v1.SamplerKind.EDM;
      case ADAPTIVE -> io.scorestream.proto.v1.SamplerKind.ADAPTIVE;
    };
  }

  /** The wire value of a core time spacing. */
  public static io.scorestream.proto.v1.TimeSpacing wire(TimeSpacing spacing) {
    return switch (spacing) {
      case LOG_SNR -> io.scorestream.proto.v1.TimeSpacing.LOG_SNR;
      case TIME_UNIFORM -> io.scorestream.proto.v1.TimeSpacing.TIME_UNIFORM;
      case TIME_QUADRATIC -> io.scorestream.proto.v1.TimeSpacing.TIME_QUADRATIC;
    };
  }

  /** The wire value of a core predictor. */
  public static Predictor wire(PredictorKind kind) {
    return switch (kind) {
      case REVERSE_DIFFUSION -> Predictor.REVERSE_DIFFUSION;
      case EULER_MARUYAMA -> Predictor.EULER_MARUYAMA;
      case ANCESTRAL -> Predictor.ANCESTRAL;
      case NONE -> Predictor.PREDICTOR_NONE;
    };
  }

  /** The wire value of a core corrector. */
  public static Corrector wire(CorrectorKind kind) {
    return switch (kind) {
      case LANGEVIN -> Corrector.LANGEVIN;
      case ANNEALED_LANGEVIN -> Corrector.ANNEALED_LANGEVIN;
      case NONE -> Corrector.CORRECTOR_NONE;
    };
  }

  /** The wire value of a core ODE solver. */
  public static OdeSolver wire(OdeMethod method) {
    return switch (method) {
      case DORMAND_PRINCE -> OdeSolver.DORMAND_PRINCE;
      case EULER -> OdeSolver.EULER;
      case HEUN -> OdeSolver.HEUN;
      case RK4 -> OdeSolver.RK4;
    };
  }
}
