package io.scorestream.cli;

import io.scorestream.core.sample.CorrectorKind;
import io.scorestream.core.sample.OdeMethod;
import io.scorestream.core.sample.PredictorKind;
import io.scorestream.core.sample.SamplerKind;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.TimeSpacing;
import io.scorestream.jobs.JobCodec;
import io.scorestream.proto.v1.SamplerSettings;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The sampler flags shared by {@code sample} (run here) and {@code submit} (run by a worker). A
 * flag not given leaves its field unset, so the default is core's, applied by the one codec either
 * way (the descriptions quote those defaults, the reference code's).
 */
final class SamplerOptions {
  @Option(
      names = "--sampler",
      paramLabel = "pc|ode|ald|dpm-solver|edm|adaptive",
      description =
          "default: pc; dpm-solver: DPM-Solver++, reference quality in 20-50 evaluations; edm:"
              + " EDM's Heun sampler; adaptive: adaptive-step reverse SDE for image models")
  String sampler;

  @Option(
      names = "--order",
      paramLabel = "1|2|3",
      description = "DPM-Solver's order (2M, 3M), default: 2")
  Integer order;

  @Option(
      names = "--stochastic",
      description = "DPM-Solver: SDE-DPM-Solver++, fresh noise each step from the seed")
  boolean stochastic;

  @Option(
      names = "--churn",
      paramLabel = "S",
      description = "EDM's S_churn, noise added each step (default: 0, deterministic)")
  Double churn;

  @Option(
      names = "--spacing",
      paramLabel = "log-snr|time-uniform|time-quadratic",
      description = "DPM-Solver's times, default: log-snr")
  String spacing;

  @Option(
      names = "--predictor",
      paramLabel = "reverse-diffusion|euler-maruyama|ancestral|none",
      description = "default: reverse-diffusion")
  String predictor;

  @Option(
      names = "--corrector",
      paramLabel = "langevin|ald|none",
      description = "default: langevin")
  String corrector;

  @Option(names = "--corrector-steps", paramLabel = "K", description = "default: 1")
  Integer correctorSteps;

  @Option(names = "--snr", paramLabel = "R", description = "default: 0.16")
  Double snr;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description =
          "PC time steps (1000), fixed-step ODE steps (100), ALD steps per level (100) or"
              + " DPM-Solver steps (30; one score evaluation each, and one more to denoise) or EDM"
              + " noise levels (18; 2N - 1 evaluations) or the adaptive sampler's budget of score"
              + " evaluations (2000)")
  Integer steps;

  @Option(
      names = "--no-denoise",
      description = "keep the last noisy state instead of the final mean")
  boolean noDenoise;

  @Option(
      names = "--rtol",
      paramLabel = "X",
      description = "relative tolerance: adaptive ODE, default 1e-5; adaptive sampler, 0.05")
  Double rtol;

  @Option(
      names = "--atol",
      paramLabel = "Y",
      description =
          "absolute tolerance (model space): adaptive ODE, default 1e-5; adaptive sampler, one"
              + " 8-bit level of the data")
  Double atol;

  @Option(
      names = "--ode-solver",
      paramLabel = "dopri5|euler|heun|rk4",
      description = "default: dopri5")
  String odeSolver;

  @Option(
      names = "--eps",
      paramLabel = "E",
      description = "smallest time sampled (default: the model's)")
  Double eps;

  @Option(names = "--predictor-first", description = "the paper's order: predictor, then corrector")
  boolean predictorFirst;

  @Option(names = "--levels", paramLabel = "L", description = "ALD noise levels, default: 10")
  Integer levels;

  @Option(names = "--step-lr", paramLabel = "EPS", description = "ALD step size, default: 2e-5")
  Double stepLr;

  /**
   * The flags as the wire message a worker reads; throws IllegalArgumentException naming a flag it
   * cannot read.
   */
  SamplerSettings toSettings() {
    SamplerSettings.Builder s = SamplerSettings.newBuilder().setPredictorFirst(predictorFirst);
    if (sampler != null) {
      s.setKind(JobCodec.wire(choose("--sampler", sampler, SamplerKind.class)));
    }
    if (predictor != null) {
      s.setPredictor(JobCodec.wire(choose("--predictor", predictor, PredictorKind.class)));
    }
    if (corrector != null) {
      s.setCorrector(
          JobCodec.wire(
              corrector.equals("ald")
                  ? CorrectorKind.ANNEALED_LANGEVIN
                  : choose("--corrector", corrector, CorrectorKind.class)));
    }
    if (odeSolver != null) {
      s.setOdeSolver(
          JobCodec.wire(
              odeSolver.equals("dopri5")
                  ? OdeMethod.DORMAND_PRINCE
                  : choose("--ode-solver", odeSolver, OdeMethod.class)));
    }
    if (spacing != null) {
      s.setSpacing(JobCodec.wire(choose("--spacing", spacing, TimeSpacing.class)));
    }
    if (order != null) {
      s.setOrder(order);
    }
    s.setStochastic(stochastic);
    if (churn != null) {
      s.setChurn(churn);
    }
    if (noDenoise) {
      s.setDenoise(false);
    }
    if (correctorSteps != null) {
      s.setCorrectorSteps(correctorSteps);
    }
    if (snr != null) {
      s.setSnr(snr);
    }
    if (steps != null) {
      s.setSteps(steps);
    }
    if (rtol != null) {
      s.setRtol(rtol);
    }
    if (atol != null) {
      s.setAtol(atol);
    }
    if (eps != null) {
      s.setEps(eps);
    }
    if (levels != null) {
      s.setLevels(levels);
    }
    if (stepLr != null) {
      s.setStepLr(stepLr);
    }
    return s.build();
  }

  /**
   * The settings as core's spec, through the same codec a worker uses; throws
   * IllegalArgumentException.
   */
  SamplerSpec toSpec() {
    return JobCodec.samplerSpec(toSettings());
  }

  private static <E extends Enum<E>> E choose(String option, String value, Class<E> type) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " does not know '" + value + "'");
    }
  }
}
