package io.scorestream.cli;

import ai.djl.ndarray.NDManager;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.core.stats.SlicedWasserstein;
import io.scorestream.jobs.JobCodec;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.trainer.data.DataSource;
import io.scorestream.trainer.data.DataSources;
import io.scorestream.trainer.data.Loaded;
import io.scorestream.trainer.net.Architecture;
import io.scorestream.trainer.net.NetworkChoice;
import io.scorestream.trainer.net.ScoreNet;
import io.scorestream.trainer.train.DsmTraining;
import io.scorestream.trainer.train.Optimizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code scorestream train}: denoising score matching on a dataset read from a file or drawn, with no Kafka, written
 * as an ONNX score model that {@code sample} and the workers serve (what {@code sample} is to {@code submit}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a score network on a dataset and write it as an ONNX score model.")
final class TrainCommand implements Callable<Integer> {
  /** Held-out examples for the quality figure of 2-D data. */
  private static final int HELD_OUT = 2000;

  @Spec
  CommandSpec spec;
  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;
  @Option(names = "--count", defaultValue = "20000", paramLabel = "N",
      description = "examples drawn from --builtin (default: ${DEFAULT-VALUE})") int count;
  @Option(names = "--seed", defaultValue = "0", paramLabel = "S") long seed;
  @Option(names = "--out", required = true, paramLabel = "MODEL.onnx") Path out;
  @Option(names = "--name", paramLabel = "NAME", description = "the model's name (default: the file's)") String name;
  @Option(names = "--steps", paramLabel = "N", description = "stop after N steps") Long steps;
  @Option(names = "--minutes", paramLabel = "M", description = "stop after M minutes") Double minutes;
  @Option(names = "--sde", defaultValue = "vp", paramLabel = "ve|vp|subvp") String sdeName;
  @Option(names = "--sigma-max", defaultValue = "10", paramLabel = "S", description = "VE's largest noise level")
  double sigmaMax;
  @Option(names = "--batch", defaultValue = "128") int batch;
  @Option(names = "--lr", defaultValue = "1e-3") double lr;
  @Option(names = "--warmup", defaultValue = "100", paramLabel = "STEPS") int warmup;
  @Option(names = "--ema", defaultValue = "0.999", paramLabel = "DECAY") double ema;
  @Mixin
  NetworkOptions network;
  @Option(names = "--likelihood-weighting", description = "weight the loss by g(t)^2 instead of sigma(t)^2")
  boolean likelihoodWeighting;

  /** Exactly one dataset. */
  static final class Source {
    @Option(names = "--data", paramLabel = "FILE.npy", description = "a float array [N, ...example shape]")
    Path npy;
    @Option(names = "--builtin", paramLabel = "NAME", description = "moons, swissroll, 8gaussians, checkerboard,"
        + " rings, glyphs (drawn from --seed, --count of them)")
    String builtin;
    @Option(names = "--mnist", paramLabel = "DIR", description = "MNIST's IDX files (the train split)")
    Path mnist;
  }

  @Override
  public Integer call() throws Exception {
    if (steps == null && minutes == null) {
      throw new ParameterException(spec.commandLine(), "say how long to train: --steps N or --minutes M");
    }
    if (steps != null && steps <= 0 || minutes != null && !(minutes > 0) || batch < 1 || !(lr > 0) || count < 1
        || !(ema > 0 && ema < 1) || warmup < 0) {
      throw new ParameterException(spec.commandLine(), "--steps, --minutes, --batch, --lr and --count must be"
          + " positive, --warmup not negative, --ema in (0, 1)");
    }
    SdeKind kind = ModelCommand.sdeKind(spec, sdeName);
    NetworkChoice choice = network.choice(spec);
    Loaded all;
    Architecture architecture;
    try {
      DataSource data = open();
      all = Loaded.read(data, source.builtin != null ? count : 0);
      architecture = choice.forData(all.shape(),
          data.numClasses());
    } catch (IllegalArgumentException | IOException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    boolean twoD = all.shape().length == 1 && all.shape()[0] == 2;
    Loaded[] parts = twoD && all.count() > 2 * HELD_OUT ? all.split(HELD_OUT) : new Loaded[] {all, null};
    Sde sde = ModelCommand.sde(kind, 0.01, sigmaMax, 0.1, 20);
    String modelName = name != null ? name : out.getFileName().toString().replaceFirst("\\.onnx$", "");
    err.printf("training %s on %d examples of shape %s under the %s SDE%n", architecture.describe(),
        parts[0].count(), java.util.Arrays.toString(all.shape()), kind.key());
    err.flush();
    try (NDManager manager = NDManager.newBaseManager()) {
      ScoreNet net = ScoreNet.create(architecture, manager, seed);
      DsmTraining.Result r = DsmTraining.train(net, parts[0].values(), parts[0].labels(), new DsmTraining.Settings(sde,
          sde.defaultEps(), batch, new Optimizer.Settings(lr, warmup, 1, ema), steps == null ? 0 : steps,
          minutes == null ? null : Duration.ofMillis((long) (minutes * 60_000)), seed, likelihoodWeighting),
          manager, line -> {
            err.println(line);
            err.flush();
          });
      ModelInfo info = new ModelInfo(modelName, Long.toString(r.steps()), sde, sde.defaultEps(), all.shape(),
          all.scaling(), architecture.numClasses(), TimeInput.TIME, describe(), r.steps());
      byte[] onnx = net.exportOnnx(r.averaged(), info);
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(out, onnx);
      err.printf("trained %d steps in %.1f s (%.0f examples/s), loss %.4f; wrote %s (%d KiB)%n", r.steps(),
          r.seconds(), r.examplesPerSecond(), r.loss(), out, onnx.length / 1024);
      if (parts[1] != null) {
        double[][] heldOut = SlicedWasserstein.rows(parts[1].values(), 2);
        err.printf("sliced W1 to %d held-out points: %.4f (two samples of the data itself differ by up to %.4f)%n",
            HELD_OUT, quality(onnx, info, heldOut), SlicedWasserstein.twoSampleBound(heldOut,
                SlicedWasserstein.directions(64, 2, 5), HELD_OUT));
      }
      err.flush();
    }
    return 0;
  }

  private DataSource open() throws IOException {
    if (source.npy != null) {
      return DataSources.npy(source.npy);
    }
    if (source.mnist != null) {
      return DataSources.mnist(source.mnist, "train");
    }
    return DataSources.builtin(source.builtin, seed);
  }

  private String describe() {
    return source.npy != null ? source.npy.getFileName().toString() : source.mnist != null ? "mnist"
        : source.builtin;
  }

  /** Sliced W1 between 2,000 samples of the model (reference PC sampler, 500 steps) and the held-out points. */
  private static double quality(byte[] onnx, ModelInfo info, double[][] heldOut) {
    try (ScoreModel model = new OrtRuntime(0, false, line -> { }).load(onnx, info.name())) {
      SamplingProcess p = Samplers.start(JobCodec.samplerSpec(SamplerSettings.newBuilder().setSteps(500).build()),
          info, heldOut.length, 11, null);
      new BatchEvaluator(model, 4096).runToCompletion(List.of(p), () -> { });
      return SlicedWasserstein.twoSample(SlicedWasserstein.rows(p.result(), 2), heldOut,
          SlicedWasserstein.directions(64, 2, 5));
    }
  }

}
