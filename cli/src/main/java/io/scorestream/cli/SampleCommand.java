package io.scorestream.cli;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.CorrectorKind;
import io.scorestream.core.sample.OdeMethod;
import io.scorestream.core.sample.PredictorKind;
import io.scorestream.core.sample.SamplerKind;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code scorestream sample}: draws samples from an ONNX score model and writes .npy or a PNG grid. */
@Command(name = "sample", mixinStandardHelpOptions = true,
    description = "Draw samples from a score model (.onnx) with a PC, probability-flow ODE or ALD sampler.")
final class SampleCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "FILE.onnx", description = "score model file")
  Path model;

  @Option(names = "--sampler", defaultValue = "pc", paramLabel = "pc|ode|ald", description = "default: ${DEFAULT-VALUE}")
  String sampler;

  @Option(names = "--predictor", defaultValue = "reverse-diffusion",
      paramLabel = "reverse-diffusion|euler-maruyama|ancestral|none", description = "default: ${DEFAULT-VALUE}")
  String predictor;

  @Option(names = "--corrector", defaultValue = "langevin", paramLabel = "langevin|ald|none",
      description = "default: ${DEFAULT-VALUE}")
  String corrector;

  @Option(names = "--corrector-steps", defaultValue = "1", paramLabel = "K") int correctorSteps;
  @Option(names = "--snr", defaultValue = "0.16", paramLabel = "R") double snr;
  @Option(names = "--steps", paramLabel = "N",
      description = "PC time steps (1000), fixed-step ODE steps (100) or ALD steps per level (100)") Integer steps;
  @Option(names = "--samples", defaultValue = "64", paramLabel = "M") int samples;
  @Option(names = "--batch", defaultValue = "1024", paramLabel = "B", description = "most rows per model call")
  int batch;
  @Option(names = "--seed", defaultValue = "0", paramLabel = "S") long seed;
  @Option(names = "--no-denoise", description = "keep the last noisy state instead of the final mean")
  boolean noDenoise;
  @Option(names = "--rtol", defaultValue = "1e-5", paramLabel = "X") double rtol;
  @Option(names = "--atol", defaultValue = "1e-5", paramLabel = "Y") double atol;
  @Option(names = "--ode-solver", defaultValue = "dopri5", paramLabel = "dopri5|euler|heun|rk4") String odeSolver;
  @Option(names = "--eps", paramLabel = "E", description = "smallest time sampled (default: the model's)") Double eps;
  @Option(names = "--predictor-first", description = "the paper's order: predictor, then corrector")
  boolean predictorFirst;
  @Option(names = "--levels", defaultValue = "10", paramLabel = "L", description = "ALD noise levels") int levels;
  @Option(names = "--step-lr", defaultValue = "2e-5", paramLabel = "EPS", description = "ALD step size")
  double stepLr;
  @Option(names = "--label", paramLabel = "Y", description = "class label for a class-conditional model")
  Long label;
  @Option(names = "--threads", defaultValue = "0", paramLabel = "T", description = "intra-op threads (0: ORT's choice)")
  int threads;
  @Option(names = "--cuda", description = "use the CUDA execution provider when present") boolean cuda;
  @Option(names = "--out", defaultValue = "samples.npy", paramLabel = "FILE.npy|FILE.png") Path out;

  @Override
  public Integer call() throws IOException {
    SamplerSpec samplerSpec = samplerSpec();
    if (samples <= 0) {
      throw bad("--samples must be positive, got " + samples);
    }
    if (batch <= 0) {
      throw bad("--batch must be positive, got " + batch);
    }
    String file = out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!file.endsWith(".npy") && !file.endsWith(".png")) {
      throw bad("--out must name a .npy or .png file, got " + out);
    }
    PrintWriter err = spec.commandLine().getErr();
    OrtRuntime runtime = new OrtRuntime(threads, cuda, line -> err.println("scorestream: " + line));
    try (ScoreModel scoreModel = runtime.load(model)) {
      ModelInfo info = scoreModel.info();
      if (file.endsWith(".png") && !info.isImage()) {
        throw bad("--out " + out + ": PNG needs an image model ([1,H,W] or [3,H,W]); " + info + " is not one");
      }
      long[] labels = null;
      if (label != null) {
        labels = new long[samples];
        java.util.Arrays.fill(labels, label);
      }
      SamplingProcess process;
      try {
        process = Samplers.start(samplerSpec, info, samples, seed, labels);
      } catch (IllegalArgumentException e) {
        throw bad(e.getMessage());
      }
      ProgressBar bar = new ProgressBar(err, samples);
      new BatchEvaluator(scoreModel, batch).runToCompletion(List.of(process), () -> bar.update(process.progress()));
      bar.finish(process.progress());
      if (process.failure() != null) {
        throw new IllegalStateException(process.failure().message());
      }
      float[] result = process.result();
      if (file.endsWith(".npy")) {
        Npy.write(out, result, samples, info.dataShape());
      } else {
        PngGrid.write(out, result, samples, info.dataShape());
      }
      err.println("wrote " + samples + " samples of " + info + " to " + out);
    }
    return 0;
  }

  private SamplerSpec samplerSpec() {
    SamplerSpec.Builder b = SamplerSpec.builder()
        .kind(choose("--sampler", sampler, SamplerKind.class))
        .predictor(choose("--predictor", predictor, PredictorKind.class))
        .corrector(corrector.equals("ald") ? CorrectorKind.ANNEALED_LANGEVIN
            : choose("--corrector", corrector, CorrectorKind.class))
        .correctorSteps(correctorSteps).snr(snr).denoise(!noDenoise).rtol(rtol).atol(atol)
        .odeMethod(odeSolver.equals("dopri5") ? OdeMethod.DORMAND_PRINCE : choose("--ode-solver", odeSolver, OdeMethod.class))
        .predictorFirst(predictorFirst).levels(levels).stepLr(stepLr);
    if (steps != null) {
      b.steps(steps);
    }
    if (eps != null) {
      b.eps(eps);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  private <E extends Enum<E>> E choose(String option, String value, Class<E> type) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw bad(option + " does not know '" + value + "'");
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
