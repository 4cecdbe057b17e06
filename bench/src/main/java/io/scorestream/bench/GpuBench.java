package io.scorestream.bench;

import ai.onnxruntime.OrtException;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.Device;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.ort.OrtScoreModel;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.SamplerKind;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.jobs.cli.DeviceConverter;
import io.scorestream.worker.WorkerSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench gpu}: on a machine with a GPU and the GPU build ({@code bench/gpu.sh} builds and
 * runs it), checks that ONNX Runtime runs the models on CUDA, that the GPU's scores and samples
 * match the CPU's for the same seed within stated float tolerances, and measures score evaluations
 * per second by batch size, reused against fresh buffers, and the continuous-batching speed-up
 * against the CPU. Exits 1 when CUDA is not used or a parity check fails.
 */
@Command(
    name = "gpu",
    mixinStandardHelpOptions = true,
    description =
        "GPU worker check: CUDA used, GPU samples equal CPU samples within tolerance, evals/s by"
            + " batch, buffers, continuous-batching speed-up (bench/gpu.sh runs it).")
final class GpuBench implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--device",
      defaultValue = "cuda:0",
      converter = DeviceConverter.class,
      description = "the GPU to measure (default: ${DEFAULT-VALUE})")
  Device device;

  @Option(
      names = "--models",
      defaultValue = "models/mnist-unet.onnx,models/eight-mlp.onnx",
      split = ",",
      description = "score models to check and time (default: ${DEFAULT-VALUE})")
  List<Path> models;

  @Option(names = "--batches", defaultValue = "1,64,1024,4096", split = ",")
  int[] batches;

  @Option(names = "--seconds", defaultValue = "2", description = "seconds per timing")
  double seconds;

  @Option(
      names = "--repeats",
      defaultValue = "5",
      description =
          "rounds of each timing, the compared ones alternated; medians of values and of per-round"
              + " ratios count (default: ${DEFAULT-VALUE})")
  int repeats;

  @Option(names = "--threads", defaultValue = "0", description = "CPU intra-op threads")
  int threads;

  @Option(
      names = "--score-tolerance",
      defaultValue = "2e-3",
      description =
          "largest relative L2 error of GPU scores against CPU scores: TF32 products keep 10"
              + " mantissa bits (2^-11 per product), sums of many average it down (default:"
              + " ${DEFAULT-VALUE})")
  double scoreTolerance;

  @Option(
      names = "--sample-tolerance",
      defaultValue = "1e-2",
      description =
          "largest |GPU - CPU| of a sample value in model space after 20 solver steps, each step"
              + " carrying the score error forward (default: ${DEFAULT-VALUE})")
  double sampleTolerance;

  @Option(names = "--jobs", defaultValue = "64", description = "jobs run together for batching")
  int jobs;

  @Option(names = "--job-samples", defaultValue = "16", description = "samples per job")
  int jobSamples;

  @Option(
      names = "--allow-cpu",
      description =
          "go on when the device falls back to the CPU (a dry run of the script on a machine"
              + " without a GPU: every figure is then CPU against CPU)")
  boolean allowCpu;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    OrtRuntime gpu = new OrtRuntime(threads, device);
    OrtRuntime cpu = new OrtRuntime(threads);
    out.printf(
        "device asked for: %s; models run on: %s%s%n",
        device, gpu.device(), gpu.fallback().map(f -> " (" + f + ")").orElse(""));
    if (!gpu.device().isCuda() && !allowCpu) {
      out.println("FAIL: CUDA is not used");
      out.flush();
      return 1;
    }
    boolean pass = true;
    for (Path file : models) {
      try (OrtScoreModel onGpu = gpu.load(file);
          OrtScoreModel onCpu = cpu.load(file)) {
        ModelInfo info = onGpu.info();
        out.printf(
            "%n## %s (%s, %d values per sample, runs on %s)%n",
            info.name(), Arrays.toString(info.dataShape()), info.dimension(), onGpu.device());
        pass &= parity(out, onGpu, onCpu);
        throughput(out, onGpu, onCpu, gpu.device());
        buffers(out, onGpu, OrtRuntime.read(file), gpu.device());
        batching(out, onGpu, onCpu, gpu.device());
      }
      out.flush();
    }
    out.println(pass ? "\nPASS" : "\nFAIL: a parity check is over its tolerance");
    out.flush();
    return pass ? 0 : 1;
  }

  /** Scores of one batch, and samples of two solvers, GPU against CPU. */
  private boolean parity(PrintWriter out, ScoreModel gpu, ScoreModel cpu) {
    ModelInfo info = gpu.info();
    int n = 64;
    int dim = info.dimension();
    Random random = new Random(11);
    float[] x = new float[n * dim];
    float[] t = new float[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      t[i] = (float) (info.eps() + (info.sde().horizon() - info.eps()) * random.nextDouble());
    }
    long[] labels = info.labelsInTurn(n);
    float[] a = new float[n * dim];
    float[] b = new float[n * dim];
    gpu.score(x, t, labels, n, a);
    cpu.score(x, t, labels, n, b);
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num += (a[i] - b[i]) * (double) (a[i] - b[i]);
      den += b[i] * (double) b[i];
    }
    double scoreError = Math.sqrt(num / Math.max(den, Double.MIN_NORMAL));
    boolean pass = scoreError <= scoreTolerance;
    out.println("| check | measured | tolerance | result |");
    out.println("| --- | ---: | ---: | --- |");
    out.printf(
        "| scores, batch %d: relative L2 error | %.2e | %.0e | %s |%n",
        n, scoreError, scoreTolerance, pass ? "pass" : "FAIL");
    for (boolean stochastic : new boolean[] {false, true}) {
      SamplerSpec s =
          SamplerSpec.builder()
              .kind(SamplerKind.DPM_SOLVER)
              .steps(20)
              .stochastic(stochastic)
              .build();
      float[] g = run(gpu, s, 32, 7);
      float[] c = run(cpu, s, 32, 7);
      double worst = 0;
      for (int i = 0; i < g.length; i++) {
        worst = Math.max(worst, Math.abs(g[i] - c[i]));
      }
      boolean ok = worst <= sampleTolerance;
      pass &= ok;
      out.printf(
          "| 32 samples, %s 20 NFE, seed 7: max abs difference | %.2e | %.0e | %s |%n",
          stochastic ? "SDE-DPM-Solver++(2M)" : "DPM-Solver++(2M)",
          worst,
          sampleTolerance,
          ok ? "pass" : "FAIL");
    }
    return pass;
  }

  /** Evaluations per second of bare model calls by batch, GPU against CPU. */
  private void throughput(PrintWriter out, ScoreModel gpu, ScoreModel cpu, Device on) {
    out.println();
    out.printf("| batch | %s evals/s | cpu evals/s | %s / cpu |%n", on, on);
    out.println("| ---: | ---: | ---: | ---: |");
    for (int b : batches) {
      double[][] m = alternated(() -> rate(gpu, b), () -> rate(cpu, b));
      out.printf(
          "| %d | %.0f | %.0f | %.1f |%n",
          b, median(m[0]), median(m[1]), median(ratios(m[0], m[1])));
      out.flush();
    }
  }

  /** The model's reused direct buffers against fresh heap arrays copied in and out per call. */
  private void buffers(PrintWriter out, OrtScoreModel model, byte[] onnx, Device on) {
    out.println();
    out.printf(
        "| batch | reused direct buffers on %s (evals/s) | fresh per call (evals/s) | ratio |%n",
        on);
    out.println("| ---: | ---: | ---: | ---: |");
    try (FreshBuffers fresh = new FreshBuffers(onnx, model.info(), on, threads)) {
      for (int b : new int[] {64, 1024}) {
        double[][] m = alternated(() -> rate(model, b), () -> rate(fresh, b));
        out.printf(
            "| %d | %.0f | %.0f | %.2f |%n",
            b, median(m[0]), median(m[1]), median(ratios(m[0], m[1])));
      }
    } catch (OrtException e) {
      throw new IllegalStateException("cannot open the plain session: " + e.getMessage(), e);
    }
  }

  /**
   * {@code jobs} jobs of {@code jobSamples} samples (DPM-Solver++, 20 NFE): together in shared
   * batches on the GPU, one after another on the GPU, together on the CPU.
   */
  private void batching(PrintWriter out, ScoreModel gpu, ScoreModel cpu, Device on) {
    SamplerSpec s = SamplerSpec.builder().kind(SamplerKind.DPM_SOLVER).steps(20).build();
    int maxBatch = WorkerSettings.defaultMaxBatch(on);
    int cpuBatch = WorkerSettings.defaultMaxBatch(Device.CPU);
    double[][] m =
        alternated(
            () -> samplesPerSecond(gpu, s, maxBatch, true),
            () -> samplesPerSecond(gpu, s, maxBatch, false),
            () -> samplesPerSecond(cpu, s, cpuBatch, true));
    double together = median(m[0]);
    double alone = median(m[1]);
    double onCpu = median(m[2]);
    double batchingGain = median(ratios(m[0], m[1]));
    double overCpu = median(ratios(m[0], m[2]));
    out.println();
    out.printf(
        "| %d jobs × %d samples, DPM-Solver++ 20 NFE | samples/s | speed-up |%n", jobs, jobSamples);
    out.println("| --- | ---: | ---: |");
    out.printf("| %s, one job at a time (batch %d) | %.1f | 1.0 |%n", on, maxBatch, alone);
    out.printf(
        "| %s, continuous batching (batch %d) | %.1f | %.1f |%n",
        on, maxBatch, together, batchingGain);
    out.printf(
        "| cpu worker, continuous batching (batch %d) | %.1f | %.2f |%n",
        cpuBatch, onCpu, median(ratios(m[2], m[1])));
    out.printf("%s batched against the CPU worker: %.1f×%n", on, overCpu);
  }

  private double samplesPerSecond(ScoreModel model, SamplerSpec s, int maxBatch, boolean shared) {
    List<SamplingProcess> all = new ArrayList<>();
    for (int j = 0; j < jobs; j++) {
      all.add(
          Samplers.start(s, model.info(), jobSamples, j, model.info().labelsInTurn(jobSamples)));
    }
    BatchEvaluator evaluator = new BatchEvaluator(model, maxBatch);
    long start = System.nanoTime();
    if (shared) {
      evaluator.runToCompletion(all, () -> {});
    } else {
      for (SamplingProcess p : all) {
        evaluator.runToCompletion(List.of(p), () -> {});
      }
    }
    return jobs * (double) jobSamples / ((System.nanoTime() - start) / 1e9);
  }

  private static float[] run(ScoreModel model, SamplerSpec s, int n, long seed) {
    SamplingProcess p = Samplers.start(s, model.info(), n, seed, model.info().labelsInTurn(n));
    new BatchEvaluator(model, n).runToCompletion(List.of(p), () -> {});
    if (p.failure() != null) {
      throw new IllegalStateException(p.failure().message());
    }
    return p.result();
  }

  /** Evaluations per second of back-to-back calls at batch {@code b}, for about {@code seconds}. */
  private double rate(ScoreModel model, int b) {
    ModelInfo info = model.info();
    int dim = info.dimension();
    float[] x = new float[b * dim];
    float[] t = new float[b];
    float[] out = new float[b * dim];
    long[] labels = info.labelsInTurn(b);
    Random random = new Random(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    Arrays.fill(t, (float) (info.sde().horizon() / 2));
    model.score(x, t, labels, b, out); // warm-up: the first call of a size plans its kernels
    long start = System.nanoTime();
    long calls = 0;
    long budget = (long) (seconds * 1e9);
    while (calls < 3 || System.nanoTime() - start < budget) {
      model.score(x, t, labels, b, out);
      calls++;
    }
    return calls * (double) b / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * {@code repeats} rounds of every measurement in turn, so that a shared machine's drift weighs on
   * each alike: {@code [measurement][round]}.
   */
  private double[][] alternated(DoubleSupplier... measures) {
    double[][] v = new double[measures.length][Math.max(1, repeats)];
    for (int r = 0; r < v[0].length; r++) {
      for (int i = 0; i < measures.length; i++) {
        v[i][r] = measures[i].getAsDouble();
      }
    }
    return v;
  }

  /** Round by round, {@code a / b}. */
  private static double[] ratios(double[] a, double[] b) {
    double[] r = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i] / b[i];
    }
    return r;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
