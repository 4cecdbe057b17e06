package io.scorestream.cli;

import io.scorestream.core.sample.CorrectorKind;
import io.scorestream.core.sample.OdeMethod;
import io.scorestream.core.sample.PredictorKind;
import io.scorestream.core.sample.SamplerKind;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.proto.v1.Corrector;
import io.scorestream.proto.v1.OdeSolver;
import io.scorestream.proto.v1.Predictor;
import io.scorestream.proto.v1.SamplerSettings;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The sampler flags shared by {@code sample} (run here) and {@code submit} (run by a worker). */
final class SamplerOptions {
  @Option(names = "--sampler", defaultValue = "pc", paramLabel = "pc|ode|ald", description = "default: ${DEFAULT-VALUE}")
  String sampler;

  @Option(names = "--predictor", defaultValue = "reverse-diffusion",
      paramLabel = "reverse-diffusion|euler-maruyama|ancestral|none", description = "default: ${DEFAULT-VALUE}")
  String predictor;

  @Option(names = "--corrector", defaultValue = "langevin", paramLabel = "langevin|ald|none",
      description = "default: ${DEFAULT-VALUE}")
  String corrector;

  @Option(names = "--corrector-steps", defaultValue = "1", paramLabel = "K") int correctorSteps;
  @Option(names = "--snr", defaultValue = "0.16", paramLabel = "R") double snr;
  @Option(names = "--steps", paramLabel = "N",
      description = "PC time steps (1000), fixed-step ODE steps (100) or ALD steps per level (100)") Integer steps;
  @Option(names = "--no-denoise", description = "keep the last noisy state instead of the final mean")
  boolean noDenoise;
  @Option(names = "--rtol", defaultValue = "1e-5", paramLabel = "X") double rtol;
  @Option(names = "--atol", defaultValue = "1e-5", paramLabel = "Y") double atol;
  @Option(names = "--ode-solver", defaultValue = "dopri5", paramLabel = "dopri5|euler|heun|rk4") String odeSolver;
  @Option(names = "--eps", paramLabel = "E", description = "smallest time sampled (default: the model's)") Double eps;
  @Option(names = "--predictor-first", description = "the paper's order: predictor, then corrector")
  boolean predictorFirst;
  @Option(names = "--levels", defaultValue = "10", paramLabel = "L", description = "ALD noise levels") int levels;
  @Option(names = "--step-lr", defaultValue = "2e-5", paramLabel = "EPS", description = "ALD step size")
  double stepLr;

  SamplerKind kind() {
    return choose("--sampler", sampler, SamplerKind.class);
  }

  PredictorKind predictorKind() {
    return choose("--predictor", predictor, PredictorKind.class);
  }

  CorrectorKind correctorKind() {
    return corrector.equals("ald") ? CorrectorKind.ANNEALED_LANGEVIN : choose("--corrector", corrector,
        CorrectorKind.class);
  }

  OdeMethod odeMethod() {
    return odeSolver.equals("dopri5") ? OdeMethod.DORMAND_PRINCE : choose("--ode-solver", odeSolver, OdeMethod.class);
  }

  /** The settings as core's spec; throws IllegalArgumentException naming what is wrong. */
  SamplerSpec toSpec() {
    SamplerSpec.Builder b = SamplerSpec.builder().kind(kind()).predictor(predictorKind()).corrector(correctorKind())
        .correctorSteps(correctorSteps).snr(snr).denoise(!noDenoise).rtol(rtol).atol(atol).odeMethod(odeMethod())
        .predictorFirst(predictorFirst).levels(levels).stepLr(stepLr);
    if (steps != null) {
      b.steps(steps);
    }
    if (eps != null) {
      b.eps(eps);
    }
    return b.build();
  }

  /** The same settings as the wire message a worker reads; validated first through {@link #toSpec()}. */
  SamplerSettings toSettings() {
    toSpec();
    SamplerSettings.Builder s = SamplerSettings.newBuilder()
        .setKind(io.scorestream.proto.v1.SamplerKind.valueOf(kind().name()))
        .setPredictor(predictorKind() == PredictorKind.NONE ? Predictor.PREDICTOR_NONE
            : Predictor.valueOf(predictorKind().name()))
        .setCorrector(correctorKind() == CorrectorKind.NONE ? Corrector.CORRECTOR_NONE
            : Corrector.valueOf(correctorKind().name()))
        .setOdeSolver(OdeSolver.valueOf(odeMethod().name()))
        .setCorrectorSteps(correctorSteps).setSnr(snr).setDenoise(!noDenoise).setRtol(rtol).setAtol(atol)
        .setPredictorFirst(predictorFirst).setLevels(levels).setStepLr(stepLr);
    if (steps != null) {
      s.setSteps(steps);
    }
    if (eps != null) {
      s.setEps(eps);
    }
    return s.build();
  }

  private static <E extends Enum<E>> E choose(String option, String value, Class<E> type) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " does not know '" + value + "'");
    }
  }
}
