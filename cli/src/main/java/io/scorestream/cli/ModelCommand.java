package io.scorestream.cli;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.onnx.MlpOnnx;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
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
 * {@code scorestream model}: writes analytic and reference models as ONNX files, and publishes
 * models.
 */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Write score models as ONNX files, or publish one to the workers.",
    subcommands = {ModelCommand.Gmm.class, ModelCommand.Mlp.class, PublishModelCommand.class})
final class ModelCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "a subcommand is required: gmm, mlp or publish");
  }

  /** Metadata of a model on flat {@code [dim]} data in identity scaling. */
  static ModelInfo flatModel(String name, String version, Sde sde, String dataset, int dim) {
    return new ModelInfo(
        name,
        version,
        sde,
        sde.defaultEps(),
        new int[] {dim},
        DataScaling.IDENTITY,
        0,
        TimeInput.TIME,
        dataset,
        -1);
  }

  /** SDE options shared by the model writers. */
  static final class SdeOptions {
    @Option(names = "--sde", defaultValue = "ve", paramLabel = "ve|vp|subvp")
    String sde;

    @Option(names = "--sigma-min", defaultValue = "0.01")
    double sigmaMin;

    @Option(names = "--sigma-max", defaultValue = "10")
    double sigmaMax;

    @Option(names = "--beta-min", defaultValue = "0.1")
    double betaMin;

    @Option(names = "--beta-max", defaultValue = "20")
    double betaMax;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "model name (default: from the kind and SDE)")
    String name;

    @Option(
        names = "--model-version",
        defaultValue = "1",
        paramLabel = "V",
        description = "model version (default: ${DEFAULT-VALUE})")
    String version;

    @Option(names = "--out", required = true, paramLabel = "FILE.onnx")
    Path out;

    ModelInfo info(String kind, int dim) {
      SdeKind k = SdeKind.parse(sde);
      return flatModel(
          name != null ? name : kind + "-" + k.key(),
          version,
          k.create(sigmaMin, sigmaMax, betaMin, betaMax),
          kind,
          dim);
    }

    void write(byte[] onnx, PrintWriter err, ModelInfo info) throws IOException {
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(out, onnx);
      err.println("wrote " + info + " to " + out);
    }
  }

  @Command(
      name = "gmm",
      mixinStandardHelpOptions = true,
      description = "The exact perturbed score of an isotropic Gaussian mixture under an SDE.")
  static final class Gmm implements Callable<Integer> {
    /** Three components with unequal weights and widths in 2-D. */
    static final String DEFAULT_COMPONENTS = "0.5:-2,0:0.5;0.3:2,0.5:0.4;0.2:0,3:0.6";

    @Spec CommandSpec spec;
    @Mixin SdeOptions sdeOptions;

    @Option(
        names = "--components",
        paramLabel = "W:M1,M2,...:S;...",
        defaultValue = Gmm.DEFAULT_COMPONENTS,
        description = "components as weight:mean:std separated by ';' (default: ${DEFAULT-VALUE})")
    String components;

    @Override
    public Integer call() throws IOException {
      GaussianMixture gmm;
      ModelInfo info;
      try {
        gmm = parse(components);
        info = sdeOptions.info("gmm", gmm.dimension());
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      sdeOptions.write(GaussianMixtureOnnx.build(gmm, info), spec.commandLine().getErr(), info);
      return 0;
    }

    static GaussianMixture parse(String text) {
      String[] parts = text.split(";");
      double[] w = new double[parts.length];
      double[][] mu = new double[parts.length][];
      double[] s = new double[parts.length];
      for (int k = 0; k < parts.length; k++) {
        String[] f = parts[k].trim().split(":");
        if (f.length != 3) {
          throw new IllegalArgumentException(
              "--components entry '" + parts[k] + "' is not weight:mean:std");
        }
        try {
          w[k] = Double.parseDouble(f[0]);
          String[] m = f[1].split(",");
          mu[k] = new double[m.length];
          for (int j = 0; j < m.length; j++) {
            mu[k][j] = Double.parseDouble(m[j]);
          }
          s[k] = Double.parseDouble(f[2]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "--components entry '" + parts[k] + "' has a bad number: " + e.getMessage());
        }
      }
      return new GaussianMixture(w, mu, s);
    }
  }

  @Command(
      name = "mlp",
      mixinStandardHelpOptions = true,
      description = "An untrained fully connected score network (Glorot weights) for benchmarks.")
  static final class Mlp implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin SdeOptions sdeOptions;

    @Option(names = "--dim", defaultValue = "2")
    int dim;

    @Option(names = "--width", defaultValue = "256")
    int width;

    @Option(names = "--layers", defaultValue = "3", description = "hidden layers")
    int layers;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Override
    public Integer call() throws IOException {
      if (dim <= 0 || width <= 0 || layers <= 0) {
        throw new ParameterException(
            spec.commandLine(), "--dim, --width and --layers must be positive");
      }
      ModelInfo info = sdeOptions.info("mlp", dim);
      int[] hidden = new int[layers];
      Arrays.fill(hidden, width);
      sdeOptions.write(
          MlpOnnx.build(MlpOnnx.randomLayers(dim, hidden, seed), info),
          spec.commandLine().getErr(),
          info);
      return 0;
    }
  }
}
