package io.scorestream.worker.jobs;

import io.scorestream.core.sample.CorrectorKind;
import io.scorestream.core.sample.OdeMethod;
import io.scorestream.core.sample.PredictorKind;
import io.scorestream.core.sample.SamplerKind;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.SamplerSettings;

/** Maps a {@link GenerateRequest}'s sampler settings onto core's {@link SamplerSpec}, validating them. */
public final class JobRequests {
  private JobRequests() {}

  /**
   * The sampler settings of a request, defaults resolved.
   *
   * @throws IllegalArgumentException naming the setting that is impossible
   */
  public static SamplerSpec samplerSpec(GenerateRequest request) {
    SamplerSettings s = request.getSampler();
    SamplerSpec.Builder b = SamplerSpec.builder()
        .kind(switch (s.getKind()) {
          case ODE -> SamplerKind.ODE;
          case ALD -> SamplerKind.ALD;
          default -> SamplerKind.PC;
        })
        .predictor(switch (s.getPredictor()) {
          case EULER_MARUYAMA -> PredictorKind.EULER_MARUYAMA;
          case ANCESTRAL -> PredictorKind.ANCESTRAL;
          case PREDICTOR_NONE -> PredictorKind.NONE;
          default -> PredictorKind.REVERSE_DIFFUSION;
        })
        .corrector(switch (s.getCorrector()) {
          case ANNEALED_LANGEVIN -> CorrectorKind.ANNEALED_LANGEVIN;
          case CORRECTOR_NONE -> CorrectorKind.NONE;
          default -> CorrectorKind.LANGEVIN;
        })
        .odeMethod(switch (s.getOdeSolver()) {
          case EULER -> OdeMethod.EULER;
          case HEUN -> OdeMethod.HEUN;
          case RK4 -> OdeMethod.RK4;
          default -> OdeMethod.DORMAND_PRINCE;
        })
        .predictorFirst(s.getPredictorFirst());
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
    return b.build();
  }

  /** Class labels for the request's samples, or null; one label given applies to all samples. */
  public static long[] labels(GenerateRequest request) {
    if (!request.getConditioning().hasClassLabels()) {
      if (request.hasConditioning() && !request.getConditioning().getKindCase().name().equals("KIND_NOT_SET")) {
        throw new IllegalArgumentException("conditioning " + request.getConditioning().getKindCase()
            + " is not served yet; only class labels are");
      }
      return null;
    }
    var given = request.getConditioning().getClassLabels().getLabelsList();
    int n = request.getNumSamples();
    if (given.size() != 1 && given.size() != n) {
      throw new IllegalArgumentException("class labels: give one label or one per sample (" + n + "), got "
          + given.size());
    }
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      labels[i] = given.get(given.size() == 1 ? 0 : i);
    }
    return labels;
  }
}
