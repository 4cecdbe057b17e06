package io.scorestream.cli;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.InvalidSettingException;
import io.scorestream.core.sample.LikelihoodProcess;
import io.scorestream.core.sample.LikelihoodUnits;
import io.scorestream.jobs.formats.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream likelihood}: the log-likelihood of each example of a .npy file under a score
 * model, through the probability-flow ODE ({@link LikelihoodProcess}); prints the mean and its
 * standard error and writes the per-example values. Image models report bits per dimension of 8-bit
 * data (dequantised), others nats.
 */
@Command(
    name = "likelihood",
    mixinStandardHelpOptions = true,
    description =
        "Log-likelihood of data under a score model (.onnx) through the probability-flow ODE: bits per"
            + " dimension for 8-bit images, nats otherwise; prints the mean and its standard error.")
final class LikelihoodCommand implements Callable<Integer> {
  /**
   * Examples per likelihood process: each has its own adaptive steps, and the batch evaluator mixes
   * them.
   */
  private static final int EXAMPLES_PER_PROCESS = 16;

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "FILE.onnx",
      description = "score model file")
  Path model;

  @Mixin ExampleOptions examples;

  @Option(
      names = "--exact",
      description = "exact trace of the score's Jacobian (data of at most 64 dimensions)")
  boolean exact;

  @Option(
      names = "--probes",
      defaultValue = "1",
      paramLabel = "K",
      description = "Hutchinson probes per example")
  int probes;

  @Option(names = "--probe-kind", defaultValue = "gaussian", paramLabel = "gaussian|rademacher")
  String probeKind;

  @Option(
      names = "--continuous",
      description = "image data as real values: nats, no dequantisation")
  boolean continuous;

  @Option(names = "--rtol", defaultValue = "1e-5")
  double rtol;

  @Option(names = "--atol", defaultValue = "1e-5")
  double atol;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S")
  long seed;

  @Option(
      names = "--batch",
      defaultValue = "4096",
      paramLabel = "B",
      description = "most rows per model call")
  int batch;

  @Option(
      names = "--threads",
      defaultValue = "0",
      paramLabel = "T",
      description = "intra-op threads (0: ORT's choice)")
  int threads;

  @Option(names = "--out", paramLabel = "FILE.npy", description = "per-example values, [N]")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (batch <= 0 || threads < 0 || !(rtol > 0) || !(atol > 0)) {
      throw bad("--batch and --rtol/--atol must be positive, --threads zero or more");
    }
    if (out != null && SampleFiles.problem("--out", out) != null) {
      throw bad(SampleFiles.problem("--out", out));
    }
    LikelihoodProcess.Probes kind =
        exact
            ? LikelihoodProcess.Probes.EXACT
            : switch (probeKind) {
              case "gaussian" -> LikelihoodProcess.Probes.GAUSSIAN;
              case "rademacher" -> LikelihoodProcess.Probes.RADEMACHER;
              default -> throw bad("--probe-kind is gaussian or rademacher, not " + probeKind);
            };
    PrintWriter err = spec.commandLine().getErr();
    OrtRuntime runtime = new OrtRuntime(threads);
    try (ScoreModel scoreModel = runtime.load(model)) {
      ModelInfo info = scoreModel.info();
      int dim = info.dimension();
      Npy.Array array = examples.read(info, this::bad);
      int n = array.shape()[0];
      long[] allLabels = examples.labels(n, info.numClasses(), this::bad);
      boolean bitsPerDim = info.isImage() && !continuous;
      double[] modelSpace = toModel(array.values(), info, bitsPerDim);
      List<LikelihoodProcess> processes = new ArrayList<>();
      try {
        for (int from = 0; from < n; from += EXAMPLES_PER_PROCESS) {
          int count = Math.min(EXAMPLES_PER_PROCESS, n - from);
          long[] labels =
              allLabels == null ? null : Arrays.copyOfRange(allLabels, from, from + count);
          processes.add(
              new LikelihoodProcess(
                  info.sde(),
                  Arrays.copyOfRange(modelSpace, from * dim, (from + count) * dim),
                  dim,
                  labels,
                  info.scaling(),
                  kind,
                  probes,
                  seed + from,
                  info.eps(),
                  rtol,
                  atol));
        }
      } catch (InvalidSettingException e) {
        throw bad("--" + e.setting() + ": " + e.getMessage());
      }
      ProgressBar bar = new ProgressBar(err, n);
      new BatchEvaluator(scoreModel, batch)
          .runToCompletion(processes, () -> bar.update(processes.get(0).progress()));
      double[] values = new double[n];
      double[] errors = new double[n];
      int at = 0;
      for (LikelihoodProcess p : processes) {
        if (p.failure() != null) {
          throw new IllegalStateException(p.failure().message());
        }
        double[][] reported =
            LikelihoodUnits.report(
                p.logLikelihood(), p.standardErrors(), dim, info.scaling(), bitsPerDim);
        System.arraycopy(reported[0], 0, values, at, reported[0].length);
        System.arraycopy(reported[1], 0, errors, at, reported[1].length);
        at += reported[0].length;
      }
      bar.finish(processes.get(processes.size() - 1).progress());
      report(spec.commandLine().getOut(), values, errors, LikelihoodUnits.unit(bitsPerDim), kind);
      if (out != null) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = (float) values[i];
        }
        Npy.write(out, f, n, new int[0]);
        err.println("wrote " + n + " values to " + out);
      }
    }
    return 0;
  }

  private double[] toModel(float[] values, ModelInfo info, boolean dequantize) {
    try {
      return LikelihoodUnits.modelSpace(values, info.scaling(), dequantize, seed);
    } catch (IllegalArgumentException e) {
      throw bad("--data " + examples.data + ": " + e.getMessage());
    }
  }

  private static void report(
      PrintWriter out,
      double[] values,
      double[] errors,
      String unit,
      LikelihoodProcess.Probes kind) {
    int n = values.length;
    double mean = Arrays.stream(values).average().orElse(Double.NaN);
    double ss = 0;
    for (double v : values) {
      ss += (v - mean) * (v - mean);
    }
    double se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : Double.NaN;
    double estimator = Arrays.stream(errors).average().orElse(Double.NaN);
    out.printf(
        "%.4f +- %.4f %s (mean over %d examples +- its standard error)%n", mean, se, unit, n);
    out.printf(
        "trace: %s; mean per-example standard error of the estimator: %s%n",
        kind.name().toLowerCase(),
        kind == LikelihoodProcess.Probes.EXACT
            ? "none (exact)"
            : Double.isNaN(estimator)
                ? "n/a with one probe (give --probes 2 or more)"
                : String.format("%.4f %s", estimator, unit));
    out.flush();
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
