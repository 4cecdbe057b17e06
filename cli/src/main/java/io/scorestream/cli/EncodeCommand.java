package io.scorestream.cli;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.EncodingProcess;
import io.scorestream.core.sample.LikelihoodUnits;
import io.scorestream.core.sample.SamplerKind;
import io.scorestream.core.sample.SamplerSpec;
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
 * {@code scorestream encode}: data to latent codes through the probability-flow ODE, run forward
 * from eps to T ({@link EncodingProcess}); {@code sample --sampler ode --latent FILE} decodes them.
 */
@Command(
    name = "encode",
    mixinStandardHelpOptions = true,
    description =
        "Encode data to latent codes with a score model's probability-flow ODE (decode: sample --sampler ode"
            + " --no-denoise --latent FILE).")
final class EncodeCommand implements Callable<Integer> {
  /**
   * Examples per process: each adapts its own steps, and the batch evaluator mixes them in its
   * calls.
   */
  private static final int EXAMPLES_PER_PROCESS = 64;

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "FILE.onnx",
      description = "score model file")
  Path model;

  @Mixin ExampleOptions examples;

  @Option(names = "--rtol", defaultValue = "1e-5")
  double rtol;

  @Option(names = "--atol", defaultValue = "1e-5")
  double atol;

  @Option(
      names = "--batch",
      defaultValue = "1024",
      paramLabel = "B",
      description = "most rows per model call")
  int batch;

  @Option(
      names = "--threads",
      defaultValue = "0",
      paramLabel = "T",
      description = "intra-op threads (0: ORT's choice)")
  int threads;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE.npy",
      description = "the codes, [N, ...shape], in model space")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (batch <= 0 || threads < 0 || !(rtol > 0) || !(atol > 0)) {
      throw bad("--batch and --rtol/--atol must be positive, --threads zero or more");
    }
    if (SampleFiles.problem("--out", out) != null || SampleFiles.isPng(out)) {
      throw bad(
          SampleFiles.isPng(out)
              ? "--out must name a .npy file, got " + out
              : SampleFiles.problem("--out", out));
    }
    SamplerSpec ode = SamplerSpec.builder().kind(SamplerKind.ODE).rtol(rtol).atol(atol).build();
    PrintWriter err = spec.commandLine().getErr();
    OrtRuntime runtime = new OrtRuntime(threads);
    try (ScoreModel scoreModel = runtime.load(model)) {
      ModelInfo info = scoreModel.info();
      Npy.Array array = examples.read(info, this::bad);
      int n = array.shape()[0];
      int dim = info.dimension();
      long[] labels = examples.labels(n, info.numClasses(), this::bad);
      double[] x = LikelihoodUnits.modelSpace(array.values(), info.scaling(), false, 0);
      List<EncodingProcess> processes = new ArrayList<>();
      for (int from = 0; from < n; from += EXAMPLES_PER_PROCESS) {
        int count = Math.min(EXAMPLES_PER_PROCESS, n - from);
        processes.add(
            new EncodingProcess(
                info.sde(),
                ode,
                Arrays.copyOfRange(x, from * dim, (from + count) * dim),
                dim,
                labels == null ? null : Arrays.copyOfRange(labels, from, from + count),
                info.scaling(),
                info.eps()));
      }
      ProgressBar bar = new ProgressBar(err, n);
      new BatchEvaluator(scoreModel, batch)
          .runToCompletion(processes, () -> bar.update(processes.get(0).progress()));
      bar.finish(processes.get(processes.size() - 1).progress());
      float[] codes = new float[x.length];
      int at = 0;
      for (EncodingProcess p : processes) {
        if (p.failure() != null) {
          throw new IllegalStateException(p.failure().message());
        }
        for (double v : p.latents()) {
          codes[at++] = (float) v;
        }
      }
      Npy.write(out, codes, n, info.dataShape());
      err.println(
          "wrote the codes of "
              + n
              + " examples to "
              + out
              + " (decode: sample --model "
              + model
              + " --sampler ode --no-denoise --latent "
              + out
              + ")");
    }
    return 0;
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
