package io.scorestream.bench;

import ai.djl.ndarray.NDManager;
import io.scorestream.core.sde.VpSde;
import io.scorestream.trainer.net.Architecture;
import io.scorestream.trainer.net.ScoreMlp;
import io.scorestream.trainer.net.ScoreNet;
import io.scorestream.trainer.net.ScoreUNet;
import io.scorestream.trainer.train.Objective;
import io.scorestream.trainer.train.Optimizer;
import io.scorestream.trainer.train.ScoreMatching;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream bench train}: training throughput of one network — examples per second through
 * the whole training step (draws, forward, backward, Adam, clipping, moving average) after a
 * warm-up — and this process's peak resident memory, as one line of JSON. {@code
 * bench/train-vs-torch.sh} runs it beside the same network in PyTorch ({@code
 * bench/torch_train.py}) and prints the comparison.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Training throughput (examples/s) and peak memory of the MLP or the U-Net; one JSON line.")
final class TrainBench implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--arch", required = true, paramLabel = "mlp|unet")
  String arch;

  @Option(names = "--batch", defaultValue = "128")
  int batch;

  @Option(names = "--steps", defaultValue = "50", description = "timed steps")
  int steps;

  @Option(names = "--warmup", defaultValue = "10", description = "steps before timing")
  int warmup;

  @Option(names = "--channels", defaultValue = "16", description = "U-Net base channels")
  int channels;

  @Option(
      names = "--profile",
      paramLabel = "FILE",
      description = "write PyTorch's operator trace of the timed steps (Chrome trace JSON) to FILE")
  Path profile;

  @Override
  public Integer call() throws Exception {
    if (batch < 1 || steps < 1 || warmup < 0 || channels < 4 || channels % 4 != 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--batch and --steps must be positive, --warmup not"
              + " negative, --channels a positive multiple of 4");
    }
    Architecture a =
        switch (arch) {
          case "mlp" -> ScoreMlp.Config.forDim(2);
          case "unet" ->
              new ScoreUNet.Config(1, 28, 28, channels, 10, 16); // conditional MNIST, as shipped
          default ->
              throw new ParameterException(
                  spec.commandLine(), "--arch is mlp or unet, not " + arch);
        };
    int n = 4096;
    SplittableRandom random = new SplittableRandom(1);
    float[] data = new float[n * a.dim()];
    long[] labels = new long[n];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (random.nextDouble() * 2 - 1);
    }
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextInt(10);
    }
    VpSde sde = new VpSde(0.1, 20, 1);
    try (NDManager manager = NDManager.newBaseManager()) {
      ScoreNet net = ScoreNet.create(a, manager, 1);
      try (ScoreMatching session =
          new ScoreMatching(
              net,
              ScoreMatching.Settings.forRuns(
                  sde,
                  batch,
                  new Optimizer.Settings(1e-3, 100, 1, 0.999),
                  1,
                  false,
                  Objective.DENOISING),
              manager)) {
        if (warmup > 0) {
          session.run(data, labels, warmup, null, w -> {});
        }
        if (profile != null) {
          ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
        }
        ScoreMatching.Result r = session.run(data, labels, steps, null, w -> {});
        if (profile != null) {
          ai.djl.pytorch.jni.JniUtils.stopProfile(profile.toString());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
            "{\"impl\": \"scorestream (DJL %s)\", \"arch\": \"%s\", \"batch\": %d, \"steps\": %d,"
                + " \"examples_per_second\": %.1f, \"peak_rss_mib\": %.0f, \"parameters\": %d}%n",
            ai.djl.engine.Engine.getEngine("PyTorch").getVersion(),
            arch,
            batch,
            steps,
            r.examplesPerSecond(),
            peakRssMib(),
            r.averaged().values().stream().mapToLong(v -> v.length).sum());
        out.flush();
      }
    }
    return 0;
  }

  /** This process's peak resident set (Linux's VmHWM), in MiB; NaN where /proc is not there. */
  static double peakRssMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}
