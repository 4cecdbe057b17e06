package io.scorestream.trainer.app;

import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.trainer.train.Objective;
import io.scorestream.trainer.train.Optimizer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The SDE, objective and optimiser options that {@code train} and {@code trainer} share. */
public final class TrainingOptions {
  @Option(names = "--sde", defaultValue = "vp", paramLabel = "ve|vp|subvp")
  String sdeName;

  @Option(
      names = "--sigma-max",
      defaultValue = "10",
      paramLabel = "S",
      description = "VE's largest noise level")
  double sigmaMax;

  @Option(
      names = "--objective",
      defaultValue = "dsm",
      paramLabel = "dsm|ssm",
      description =
          "denoising score matching (default), or sliced score matching: variance-reduced,"
              + " finite differences, at the same noise levels")
  String objectiveName;

  @Option(
      names = "--projection",
      defaultValue = "rademacher",
      paramLabel = "gaussian|rademacher",
      description =
          "with --objective ssm: how the random directions are drawn (default: ${DEFAULT-VALUE})")
  String projectionName;

  /** The objective, or a usage error naming what is wrong. */
  public Objective objective(CommandSpec spec) {
    try {
      return Objective.parse(objectiveName, Objective.Projection.parse(projectionName));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  @Option(names = "--batch", defaultValue = "128")
  int batch;

  /** Examples per step. */
  public int batch() {
    return batch;
  }

  @Option(names = "--lr", defaultValue = "1e-3")
  double lr;

  @Option(names = "--warmup", defaultValue = "100", paramLabel = "STEPS")
  int warmup;

  @Option(names = "--ema", defaultValue = "0.999", paramLabel = "DECAY")
  double ema;

  /** The SDE's kind, or a usage error naming it. */
  public SdeKind kind(CommandSpec spec) {
    try {
      return SdeKind.parse(sdeName);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--sde: " + e.getMessage());
    }
  }

  /**
   * The forward SDE: VE from 0.01 to --sigma-max, VP and sub-VP with beta from 0.1 to 20
   * (score_sde's).
   */
  public Sde sde(CommandSpec spec) {
    return kind(spec).create(0.01, sigmaMax, 0.1, 20);
  }

  /**
   * Adam with warm-up, clipping at global norm 1 and the moving average; a usage error when out of
   * range.
   */
  public Optimizer.Settings optimizer(CommandSpec spec) {
    if (batch < 1 || !(lr > 0) || warmup < 0 || !(ema > 0 && ema < 1)) {
      throw new ParameterException(
          spec.commandLine(),
          "--batch and --lr must be positive, --warmup not negative," + " --ema in (0, 1)");
    }
    return new Optimizer.Settings(lr, warmup, 1, ema);
  }
}
