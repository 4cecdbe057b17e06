package io.scorestream.cli;

import ai.djl.ndarray.NDManager;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.InvalidSettingException;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.trainer.data.DataSource;
import io.scorestream.trainer.data.Loaded;
import io.scorestream.trainer.quality.CheckpointQuality;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream evaluate}: the quality figures the trainer gives its checkpoints, for any
 * score model against a dataset — sliced W1 to held-out data for low-dimensional data; for labelled
 * images the Fréchet distance in the features of a classifier trained here on the training split,
 * class spread, label agreement and the classifier's accuracy.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Measure a score model's samples against held-out data, as the trainer measures"
            + " checkpoints. Without --sampler, --predictor or --corrector the samples are drawn as"
            + " the trainer draws them: --steps reverse-diffusion steps (default 500), no"
            + " corrector.")
final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL.onnx")
  Path model;

  @Mixin DatasetOptions dataset;

  @Option(
      names = "--samples",
      paramLabel = "N",
      description = "samples to draw (default 2000, images 500)")
  Integer samples;

  /**
   * The sampler flags of {@code sample}; without {@code --sampler}, the trainer's checkpoint
   * sampler: {@value #CHECKPOINT_STEPS} reverse-diffusion steps, no corrector.
   */
  @Mixin SamplerOptions sampler;

  /** Steps of the checkpoint sampler when neither --sampler nor --steps is given. */
  static final int CHECKPOINT_STEPS = 500;

  @Option(
      names = "--classifier-steps",
      defaultValue = "1500",
      paramLabel = "N",
      description = "steps the image feature classifier trains (default: ${DEFAULT-VALUE})")
  int classifierSteps;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S")
  long seed;

  @Override
  public Integer call() throws IOException {
    if (samples != null && samples < 2 || classifierSteps < 1 || dataset.count < 1) {
      throw new ParameterException(
          spec.commandLine(),
          "--samples must be at least 2, --classifier-steps and --count positive");
    }
    SamplerSpec drawing;
    try {
      drawing =
          sampler.sampler == null && sampler.corrector == null && sampler.predictor == null
              ? CheckpointQuality.checkpointSampler(
                  sampler.steps != null ? sampler.steps : CHECKPOINT_STEPS)
              : sampler.toSpec();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    byte[] onnx;
    try {
      onnx = Files.readAllBytes(model);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot read --model " + model + ": " + e);
    }
    ModelInfo info;
    try (ScoreModel loaded = new OrtRuntime(0).load(onnx, model.getFileName().toString())) {
      info = loaded.info();
    } catch (RuntimeException e) {
      throw new ParameterException(
          spec.commandLine(), "--model " + model + " is not a score model: " + e.getMessage());
    }
    Loaded[] parts;
    int numClasses;
    try {
      DataSource data = dataset.open(seed);
      numClasses = data.numClasses();
      parts = dataset.split(dataset.read(data));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (!Arrays.equals(parts[0].shape(), info.dataShape())) {
      throw new ParameterException(
          spec.commandLine(),
          "the model takes examples of shape "
              + Arrays.toString(info.dataShape())
              + ", the dataset's are "
              + Arrays.toString(parts[0].shape()));
    }
    if (parts[1] == null) {
      throw new ParameterException(
          spec.commandLine(),
          "the dataset has "
              + parts[0].count()
              + " examples: more than "
              + 2 * DatasetOptions.HELD_OUT
              + " are needed to hold "
              + DatasetOptions.HELD_OUT
              + " out");
    }
    if (info.numClasses() > 0 && info.numClasses() != numClasses) {
      throw new ParameterException(
          spec.commandLine(),
          "the model is conditioned on "
              + info.numClasses()
              + " classes, the dataset has "
              + numClasses);
    }
    boolean image = CheckpointQuality.isImage(info.dataShape());
    int n = samples != null ? samples : image ? 500 : DatasetOptions.HELD_OUT;
    PrintWriter err = spec.commandLine().getErr();
    err.printf(
        "drawing %d samples of %s:%s (%s sampler, %d steps) and measuring them against %d held-out"
            + " examples%n",
        n,
        info.name(),
        info.version(),
        drawing.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        drawing.steps(),
        parts[1].count());
    err.flush();
    long start = System.nanoTime();
    try (NDManager manager = NDManager.newBaseManager();
        CheckpointQuality quality =
            new CheckpointQuality(info.dataShape(), numClasses, n, drawing, manager, seed)) {
      CheckpointQuality.Figures f =
          quality.measure(
              onnx,
              info,
              parts[0].values(),
              parts[0].labels(),
              parts[1].values(),
              parts[1].labels(),
              classifierSteps,
              seed);
      PrintWriter out = spec.commandLine().getOut();
      out.println(f.describe());
      out.flush();
      err.printf("measured in %.0f s%n", (System.nanoTime() - start) / 1e9);
    } catch (InvalidSettingException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return 0;
  }
}
