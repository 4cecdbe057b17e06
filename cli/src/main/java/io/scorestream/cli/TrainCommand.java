package io.scorestream.cli;

import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.NoiseScales;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.trainer.app.NetworkOptions;
import io.scorestream.trainer.app.TrainingOptions;
import io.scorestream.trainer.data.DataSource;
import io.scorestream.trainer.data.Loaded;
import io.scorestream.trainer.net.Architecture;
import io.scorestream.trainer.net.NetworkChoice;
import io.scorestream.trainer.quality.CheckpointQuality;
import io.scorestream.trainer.train.Objective;
import io.scorestream.trainer.train.OfflineTraining;
import io.scorestream.trainer.train.Optimizer;
import io.scorestream.trainer.train.ScoreMatching;
import io.scorestream.trainer.train.TrainingState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream train}: denoising score matching on a dataset read from a file or drawn, with
 * no Kafka, written as an ONNX score model that {@code sample} and the workers serve (what {@code
 * sample} is to {@code submit}).
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a score network on a dataset and write it as an ONNX score model.")
final class TrainCommand implements Callable<Integer> {
  /** Steps of the image feature classifier before it measures the model. */
  static final int CLASSIFIER_STEPS = 1500;

  @Spec CommandSpec spec;
  @Mixin DatasetOptions dataset;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S")
  long seed;

  @Option(names = "--out", required = true, paramLabel = "MODEL.onnx")
  Path out;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "the model's name (default: the file's)")
  String name;

  @Option(names = "--steps", paramLabel = "N", description = "stop after N steps")
  Long steps;

  @Option(names = "--minutes", paramLabel = "M", description = "stop after M minutes")
  Double minutes;

  @Mixin TrainingOptions training;
  @Mixin NetworkOptions network;

  @Option(
      names = "--quality-samples",
      paramLabel = "N",
      description =
          "samples drawn to measure the model (default 2000, images 500; 0: not measured)")
  Integer qualitySamples;

  @Option(
      names = "--quality-steps",
      defaultValue = "500",
      paramLabel = "N",
      description = "sampler steps for those samples (default: ${DEFAULT-VALUE})")
  int qualitySteps;

  @Option(
      names = "--state",
      paramLabel = "FILE",
      description =
          "resume from this training state when it exists,"
              + " and write the state there as it goes and at the end (--steps and --minutes then count"
              + " from where it stopped)")
  Path state;

  @Option(
      names = "--state-every",
      defaultValue = "5",
      paramLabel = "MINUTES",
      description =
          "with --state, write the state at least this often while training, so a run that is"
              + " killed loses no more (default: ${DEFAULT-VALUE})")
  double stateEvery;

  @Option(
      names = "--likelihood-weighting",
      description = "weight the loss by g(t)^2 instead of sigma(t)^2")
  boolean likelihoodWeighting;

  @Override
  public Integer call() throws Exception {
    if (steps == null && minutes == null) {
      throw new ParameterException(
          spec.commandLine(), "say how long to train: --steps N or --minutes M");
    }
    if (steps != null && steps <= 0
        || minutes != null && !(minutes > 0)
        || dataset.count < 1
        || qualitySamples != null && qualitySamples < 0
        || qualitySteps < 1
        || !(stateEvery >= 0)) {
      throw new ParameterException(
          spec.commandLine(),
          "--steps, --minutes, --count and --quality-steps must be"
              + " positive, --quality-samples and --state-every not negative");
    }
    Optimizer.Settings optimizer = training.optimizer(spec);
    SdeKind kind = training.kind(spec);
    NetworkChoice choice = network.choice(spec);
    Objective objective = training.objective(spec);
    Loaded all;
    Architecture architecture;
    int numClasses;
    try {
      DataSource data = dataset.open(seed);
      all = dataset.read(data);
      numClasses = data.numClasses();
      architecture = choice.forData(all.shape(), numClasses);
    } catch (IllegalArgumentException | IOException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    Loaded[] parts = dataset.split(all);
    TrainingOptions.Chosen chosen =
        training.sde(spec, parts[0].values(), parts[0].values().length / parts[0].count(), seed);
    Sde sde = chosen.sde();
    String modelName = name != null ? name : OrtRuntime.fallbackName(out);
    err.printf(
        "training %s on %d examples of shape %s under the %s SDE by %s%n",
        architecture.describe(),
        parts[0].count(),
        Arrays.toString(all.shape()),
        kind.key(),
        objective.describe());
    if (chosen.scales() != null) {
      chosen.scales().reasons().forEach(reason -> err.println("  " + reason));
    }
    err.flush();
    TrainingState saved = resumable(architecture, all.shape());
    if (saved != null) {
      err.println("resuming at step " + saved.step() + " from " + state);
    }
    boolean image = CheckpointQuality.isImage(all.shape());
    OfflineTraining.Result r =
        OfflineTraining.run(
            new OfflineTraining.Settings(
                architecture,
                sde,
                training.batch(),
                optimizer,
                likelihoodWeighting,
                objective,
                seed,
                steps == null ? 0 : steps,
                minutes == null ? null : Duration.ofMillis((long) (minutes * 60_000)),
                modelName,
                dataset.describe(),
                notes(chosen.scales())),
            parts[0],
            saved,
            state == null
                ? null
                : new OfflineTraining.Checkpoints(
                    Duration.ofMillis((long) (stateEvery * 60_000)), s -> keep(s, err)),
            new OfflineTraining.Measure(
                parts[1],
                numClasses,
                qualitySamples != null ? qualitySamples : image ? 500 : DatasetOptions.HELD_OUT,
                qualitySteps,
                CLASSIFIER_STEPS),
            line -> {
              err.println(line);
              err.flush();
            });
    if (state != null) {
      r.state().write(state);
      err.println("wrote the training state to " + state);
    }
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(out, r.onnx());
    ScoreMatching.Result run = r.training();
    err.printf(
        "trained to step %d in %.1f s (%.0f examples/s), loss %.4f; wrote %s (%d KiB)%n",
        run.steps(),
        run.seconds(),
        run.examplesPerSecond(),
        run.loss(),
        out,
        r.onnx().length / 1024);
    if (r.quality() != null) {
      err.println(
          "quality: "
              + r.quality().describe()
              + " against "
              + parts[1].count()
              + " held-out examples");
    }
    err.flush();
    return 0;
  }

  /** Writes a state taken during the run; a failure is said and training goes on. */
  private void keep(TrainingState s, PrintWriter err) {
    try {
      s.write(state);
      err.println("wrote the training state at step " + s.step() + " to " + state);
    } catch (IOException e) {
      err.println(
          "could not write the training state at step "
              + s.step()
              + " to "
              + state
              + ": "
              + e.getMessage()
              + "; training goes on and tries again");
    }
    err.flush();
  }

  /**
   * The state to resume from: none without --state or before its first run; else one of this
   * network and data.
   */
  private TrainingState resumable(Architecture architecture, int[] shape) throws IOException {
    if (state == null || !Files.exists(state)) {
      return null;
    }
    TrainingState saved = TrainingState.read(state);
    if (!saved.fits(architecture, shape)) {
      throw new ParameterException(
          spec.commandLine(),
          "--state "
              + state
              + " holds "
              + saved.config().describe()
              + " for examples of shape "
              + Arrays.toString(saved.dataShape())
              + "; these options make "
              + architecture.describe()
              + " for "
              + Arrays.toString(shape));
    }
    return saved;
  }

  /** What a VE model's metadata says of its noise scales, for annealed Langevin to use. */
  private static Map<String, String> notes(NoiseScales scales) {
    if (scales == null) {
      return Map.of();
    }
    return Map.of(
        ModelMetadata.NOISE_SCALES,
        String.join("; ", scales.reasons()),
        ModelMetadata.ALD_LEVELS,
        Integer.toString(scales.levels()),
        ModelMetadata.ALD_STEPS,
        Integer.toString(scales.stepsPerLevel()),
        ModelMetadata.ALD_STEP_LR,
        ModelMetadata.plain(scales.stepSize()));
  }
}
