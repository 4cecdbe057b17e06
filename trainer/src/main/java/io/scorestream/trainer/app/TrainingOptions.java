package io.scorestream.trainer.app;

import io.scorestream.core.sde.NoiseScales;
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
      paramLabel = "S",
      description =
          "VE's largest noise level (train: chosen from the data when not given; trainer: 10)")
  Double sigmaMax;

  @Option(
      names = "--sigma-min",
      paramLabel = "S",
      description =
          "VE's smallest noise level (train: chosen from the data when not given; trainer: 0.01)")
  Double sigmaMin;

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
   * The forward SDE without looking at data: VE from --sigma-min to --sigma-max (score_sde's 0.01
   * and 10 when not given), VP and sub-VP with beta from 0.1 to 20 (score_sde's).
   */
  public Sde sde(CommandSpec spec) {
    return create(spec, sigmaMin != null ? sigmaMin : 0.01, sigmaMax != null ? sigmaMax : 10);
  }

  /**
   * The forward SDE for {@code data} ({@code [N, D]} in model space): for VE, the noise levels not
   * given are chosen from the data by NCSNv2's techniques, with annealed Langevin's levels and step
   * size ({@link NoiseScales}); null scales for VP and sub-VP.
   */
  public Chosen sde(CommandSpec spec, float[] data, int d, long seed) {
    if (kind(spec) != SdeKind.VE) {
      return new Chosen(sde(spec), null);
    }
    NoiseScales scales;
    try {
      scales =
          NoiseScales.choose(
              data, d, sigmaMax, sigmaMin, NoiseScales.DEFAULT_STEPS_PER_LEVEL, seed);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--sigma-max, --sigma-min: " + e.getMessage());
    }
    return new Chosen(create(spec, scales.sigmaMin(), scales.sigmaMax()), scales);
  }

  /**
   * An SDE and, for VE, how its noise scales were chosen.
   *
   * @param sde the forward SDE
   * @param scales VE's noise scales and annealed Langevin settings; null for VP and sub-VP
   */
  public record Chosen(Sde sde, NoiseScales scales) {}

  private Sde create(CommandSpec spec, double min, double max) {
    if (!(max > min && min > 0)) {
      throw new ParameterException(
          spec.commandLine(), "--sigma-max must exceed --sigma-min, and both be positive");
    }
    return kind(spec).create(min, max, 0.1, 20);
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
