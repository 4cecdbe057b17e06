package io.scorestream.cli;

import ai.djl.ndarray.NDManager;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.trainer.data.DataSource;
import io.scorestream.trainer.data.Loaded;
import io.scorestream.trainer.net.NoisyClassifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream train-classifier}: a noise-conditional classifier for classifier guidance,
 * trained on a labelled dataset under the noise of the score model it will guide (its SDE, data
 * shape and scaling come from that model's metadata), written as ONNX with its gradient as an
 * output.
 */
@Command(
    name = "train-classifier",
    mixinStandardHelpOptions = true,
    description =
        "Train a noise-conditional classifier to guide a score model (sample --classifier).")
final class TrainClassifierCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--for",
      required = true,
      paramLabel = "MODEL.onnx",
      description = "the score model it will guide: its SDE, data shape and scaling")
  Path model;

  @Mixin DatasetOptions dataset;

  @Option(names = "--steps", required = true, paramLabel = "N")
  int steps;

  @Option(names = "--batch", defaultValue = "128", paramLabel = "B")
  int batch;

  @Option(
      names = "--hidden",
      defaultValue = "256",
      paramLabel = "H",
      description = "units per hidden layer")
  int hidden;

  @Option(names = "--layers", defaultValue = "2", paramLabel = "L", description = "hidden layers")
  int layers;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S")
  long seed;

  @Option(names = "--out", required = true, paramLabel = "CLASSIFIER.onnx")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (steps < 1 || batch < 1 || hidden < 1 || layers < 1 || layers > 8 || hidden > 4096) {
      throw bad(
          "--steps, --batch and --hidden must be positive (hidden at most 4096), --layers 1 to 8");
    }
    String outProblem =
        SampleFiles.problem("--out", out.resolveSibling(out.getFileName() + ".npy"));
    if (!out.getFileName().toString().endsWith(".onnx") || outProblem != null) {
      throw bad(
          outProblem != null
              ? outProblem.replace(".onnx.npy", ".onnx")
              : "--out must name a .onnx file, got " + out);
    }
    ModelInfo target;
    try (ScoreModel score = new OrtRuntime(1).load(model)) {
      target = score.info();
    } catch (RuntimeException e) {
      throw bad("--for " + model + ": " + e.getMessage());
    }
    Loaded all;
    int classes;
    Loaded[] parts;
    try {
      DataSource data = dataset.open(seed);
      classes = data.numClasses();
      all = dataset.read(data);
      parts = dataset.split(all);
    } catch (IllegalArgumentException | IOException e) {
      throw bad(e.getMessage());
    }
    if (classes < 2) {
      throw bad(
          "a classifier learns labelled data of two classes or more; "
              + dataset.describe()
              + " has "
              + classes);
    }
    if (!Arrays.equals(all.shape(), target.dataShape()) || all.scaling() != target.scaling()) {
      throw bad(
          dataset.describe()
              + " holds examples of shape "
              + Arrays.toString(all.shape())
              + " ("
              + all.scaling().key()
              + "); "
              + target.name()
              + " makes "
              + Arrays.toString(target.dataShape())
              + " ("
              + target.scaling().key()
              + ")");
    }
    PrintWriter err = spec.commandLine().getErr();
    err.printf(
        "training a classifier of %d classes (%d x %d units) on %d examples under %s's %s SDE%n",
        classes, layers, hidden, parts[0].count(), target.name(), target.sde().kind().key());
    err.flush();
    try (NDManager manager = NDManager.newBaseManager();
        NoisyClassifier c =
            new NoisyClassifier(
                new NoisyClassifier.Config(all.dimension(), hidden, layers, 16, 2, classes),
                manager,
                seed)) {
      NoisyClassifier.Result r =
          c.train(parts[0].values(), parts[0].labels(), target.sde(), target.eps(), steps, batch);
      var weights = c.averagedWeights();
      String name = OrtRuntime.fallbackName(out);
      ModelInfo info =
          new ModelInfo(
              name,
              Long.toString(r.steps()),
              target.sde(),
              target.eps(),
              target.dataShape(),
              target.scaling(),
              classes,
              target.timeInput(),
              dataset.describe(),
              r.steps());
      byte[] onnx = c.exportOnnx(weights, info);
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(out, onnx);
      err.printf(
          "trained %d steps in %.1f s, loss %.3f, accuracy %.3f over all noise levels; wrote %s (%d KiB)%n",
          r.steps(),
          r.elapsed().toMillis() / 1000.0,
          r.loss(),
          r.accuracy(),
          out,
          onnx.length / 1024);
      Loaded check = parts[1] != null ? parts[1] : parts[0];
      StringBuilder line =
          new StringBuilder(parts[1] != null ? "held-out accuracy:" : "training accuracy:");
      double horizon = target.sde().horizon();
      for (double t : new double[] {target.eps(), 0.25 * horizon, 0.5 * horizon, 0.75 * horizon}) {
        line.append(
            String.format(
                " %.2f at t=%.3g",
                c.accuracy(weights, check.values(), check.labels(), target.sde(), t, seed + 1), t));
      }
      err.println(line);
      err.flush();
    }
    return 0;
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
