package io.scorestream.cli;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.Device;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.PcSchedules;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.jobs.JobCodec;
import io.scorestream.jobs.ModelSamplerDefaults;
import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.cli.DeviceConverter;
import io.scorestream.jobs.formats.Npy;
import io.scorestream.proto.v1.SamplerSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream sample}: draws samples from an ONNX score model and writes .npy or a PNG grid.
 */
@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    description =
        "Draw samples from a score model (.onnx): PC, probability-flow ODE, ALD, DPM-Solver++, EDM"
            + " or the adaptive SDE sampler.")
final class SampleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "FILE.onnx",
      description = "score model file")
  Path model;

  @Mixin SamplerOptions samplerOptions;

  @Mixin MeasurementOptions measurement;

  @Option(names = "--samples", defaultValue = "64", paramLabel = "M")
  int samples;

  @Option(
      names = "--batch",
      defaultValue = "1024",
      paramLabel = "B",
      description = "most rows per model call")
  int batch;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S")
  long seed;

  @Option(
      names = "--label",
      paramLabel = "Y",
      description = "class label for a class-conditional model (default: each class in turn)")
  Long label;

  @Option(
      names = "--threads",
      defaultValue = "0",
      paramLabel = "T",
      description = "intra-op threads (0: ORT's choice)")
  int threads;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      paramLabel = "cpu|cuda:N",
      converter = DeviceConverter.class,
      description =
          "where the model runs (CUDA needs the GPU build; without it, the CPU, said why)")
  Device device;

  @Option(names = "--out", defaultValue = "samples.npy", paramLabel = "FILE.npy|FILE.png")
  Path out;

  @Option(
      names = "--classifier",
      paramLabel = "C.onnx",
      description = "guide to --label with this noise-conditional classifier (train-classifier)")
  Path classifier;

  @Option(
      names = "--guidance-scale",
      defaultValue = "1",
      paramLabel = "W",
      description =
          "classifier guidance scale: 1 is Bayes' rule, more sharpens the class (default: ${DEFAULT-VALUE})")
  double guidanceScale;

  @Option(
      names = "--latent",
      paramLabel = "FILE.npy",
      description =
          "ODE: decode these codes ([N, ...shape], model space, as `encode` writes); N samples")
  Path latent;

  @Override
  public Integer call() throws IOException {
    Npy.Array codes = latent == null ? null : readLatent();
    if (codes != null) {
      samples = codes.shape()[0];
    }
    if (samples <= 0) {
      throw bad("--samples must be positive, got " + samples);
    }
    if (batch <= 0) {
      throw bad("--batch must be positive, got " + batch);
    }
    if (threads < 0) {
      throw bad("--threads must be zero (ONNX Runtime's choice) or more, got " + threads);
    }
    if (SampleFiles.problem("--out", out) != null) {
      throw bad(SampleFiles.problem("--out", out));
    }
    if (classifier == null
        && spec.commandLine().getParseResult().hasMatchedOption("--guidance-scale")) {
      throw bad("--guidance-scale needs --classifier");
    }
    if (!(guidanceScale >= 0) || !Double.isFinite(guidanceScale)) {
      throw bad("--guidance-scale must be zero or more, got " + guidanceScale);
    }
    PrintWriter err = spec.commandLine().getErr();
    OrtRuntime runtime = new OrtRuntime(threads, device);
    try (ScoreModel unguided = runtime.load(model);
        ScoreModel guide = classifier == null ? null : loadClassifier(runtime)) {
      ScoreModel scoreModel = guide == null ? unguided : guided(unguided, guide);
      SamplerSpec samplerSpec = samplerSpec(codes, unguided.metadata());
      ModelInfo info = scoreModel.info();
      if (codes != null
          && !Arrays.equals(
              Arrays.copyOfRange(codes.shape(), 1, codes.shape().length), info.dataShape())) {
        throw bad(
            "--latent "
                + latent
                + " has shape "
                + Arrays.toString(codes.shape())
                + "; "
                + info.name()
                + " needs [N, "
                + Arrays.toString(info.dataShape()).replaceAll("[\\[\\]]", "")
                + "]");
      }
      if (measurement.given()) {
        fitSamplesToMeasurement(info, codes);
      }
      if (SampleFiles.isPng(out) && !info.isImage()) {
        throw bad(
            "--out "
                + out
                + ": PNG needs an image model ([1,H,W] or [3,H,W]); "
                + info
                + " is not one");
      }
      long[] labels =
          info.labelsInTurn(samples); // a conditional model without --label: each class in turn
      if (label != null) {
        labels = new long[samples];
        Arrays.fill(labels, label);
      }
      try {
        if (measurement.given()) {
          Samplers.checkImputation(
              samplerSpec, info, samples, info.dimension(), measurement.particles, labels);
        } else {
          Samplers.check(samplerSpec, info, samples, labels);
        }
      } catch (IllegalArgumentException e) {
        throw bad(e.getMessage());
      }
      checkMemory(samplerSpec, info);
      SamplingProcess process =
          measurement.given()
              ? Samplers.impute(
                  samplerSpec,
                  info,
                  measurement.build(info, samples, this::bad),
                  measurement.particles,
                  seed,
                  labels,
                  PcSchedules.none())
              : Samplers.start(samplerSpec, info, samples, seed, labels);
      ProgressBar bar = new ProgressBar(err, samples);
      new BatchEvaluator(scoreModel, batch)
          .runToCompletion(List.of(process), () -> bar.update(process.progress()));
      bar.finish(process.progress());
      if (process.failure() != null) {
        throw new IllegalStateException(process.failure().message());
      }
      float[] result = process.result();
      SampleFiles.write(out, result, samples, info.dataShape());
      err.println("wrote " + samples + " samples of " + info + " to " + out);
    }
    return 0;
  }

  private ScoreModel loadClassifier(OrtRuntime runtime) {
    try {
      return runtime.loadClassifier(classifier);
    } catch (RuntimeException e) {
      throw bad("--classifier " + classifier + ": " + e.getMessage());
    }
  }

  private ScoreModel guided(ScoreModel unguided, ScoreModel guide) {
    if (label == null) {
      throw bad("--classifier guides to a class: give --label Y");
    }
    try {
      return new io.scorestream.core.model.GuidedScoreModel(unguided, guide, guidanceScale);
    } catch (IllegalArgumentException e) {
      throw bad("--classifier " + classifier + ": " + e.getMessage());
    }
  }

  /** Takes the sample count from [N, ...] measurement files, refusing a different --samples. */
  private void fitSamplesToMeasurement(ModelInfo info, Npy.Array codes) {
    if (codes != null) {
      throw bad(
          "--latent decodes codes with the ODE sampler; inverse problems (--known/--mask, --gray) run the PC"
              + " sampler");
    }
    int n = measurement.samplesFromFiles(info, this::bad);
    if (n > 0) {
      if (spec.commandLine().getParseResult().hasMatchedOption("--samples") && samples != n) {
        throw bad(
            "--samples "
                + samples
                + " does not match the "
                + n
                + " samples the measurement files hold");
      }
      samples = n;
    }
  }

  /** Refuses, before any work, a job whose sampler state would not fit this JVM's memory. */
  private void checkMemory(SamplerSpec samplerSpec, ModelInfo info) {
    Runtime rt = Runtime.getRuntime();
    long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    long rows = (long) samples * (measurement.given() ? measurement.particles : 1);
    long needed =
        Samplers.stateBytes(samplerSpec, info, samples) * (rows / samples)
            + Math.min(batch, rows) * info.dimension() * 2 * Float.BYTES;
    if (needed > free * 0.9) {
      throw bad(
          String.format(
              "--samples %d of %s need about %.1f GiB of memory; this JVM has %.1f GiB free "
                  + "(sample in several runs, or give Java more with SCORESTREAM_JAVA_OPTS=-Xmx...)",
              samples, info.name(), needed / (double) (1L << 30), free / (double) (1L << 30)));
    }
  }

  /** The sampler the options ask for, the model's metadata filling what they leave unset. */
  private SamplerSpec samplerSpec(Npy.Array codes, Map<String, String> metadata) {
    try {
      SamplerSettings settings = ModelSamplerDefaults.fill(samplerOptions.toSettings(), metadata);
      if (codes != null) {
        int[] shape = codes.shape();
        settings =
            settings.toBuilder()
                .setLatent(
                    Tensors.of(
                        codes.values(), shape[0], Arrays.copyOfRange(shape, 1, shape.length)))
                .build();
      }
      return JobCodec.samplerSpec(settings);
    } catch (IllegalArgumentException e) {
      throw bad(
          (codes != null && e.getMessage().contains("latent") ? "--latent " + latent + ": " : "")
              + e.getMessage());
    }
  }

  private Npy.Array readLatent() {
    try {
      Npy.Array a = Npy.read(latent);
      if (a.shape().length < 2 || a.shape()[0] < 1) {
        throw bad(
            "--latent "
                + latent
                + " has shape "
                + Arrays.toString(a.shape())
                + "; codes are [N, ...shape]");
      }
      return a;
    } catch (IOException | IllegalArgumentException e) {
      throw bad("--latent " + latent + ": " + SampleFiles.reason(e, latent));
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
