package io.scorestream.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.ort.OrtScoreModel;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.jobs.cli.CommandLines;
import io.scorestream.trainer.app.TorchDefaults;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream bench}: the benchmarks, their own artifact ({@code
 * bench/target/scorestream-bench.jar}, which {@code bin/scorestream bench} runs) so that no product
 * artifact carries them.
 *
 * <p>{@code bench sampler-overhead}: score evaluations per second through the full PC sampler
 * versus a bare loop of ONNX Runtime calls at the same batch size, on a 2-D MLP score network (3
 * hidden layers, 256 wide).
 */
@Command(
    name = "scorestream bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks; results go in BENCHMARKS.md.",
    subcommands = {
      BenchCommand.SamplerOverhead.class,
      FleetBench.class,
      GatewayBench.class,
      TrainBench.class,
      SamplersBench.class,
      GpuBench.class,
      ColorizeBench.class
    })
public final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  /** {@code java -jar scorestream-bench.jar fleet ...}. */
  public static void main(String[] args) {
    TorchDefaults.apply();
    System.exit(CommandLines.execute(new BenchCommand(), args));
  }

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(),
        "a benchmark is required: sampler-overhead, fleet, gateway, train, samplers, gpu or colorize");
  }

  @Command(
      name = "sampler-overhead",
      mixinStandardHelpOptions = true,
      description =
          "Sampler evaluations/s versus a bare ONNX Runtime loop at batch 1, 64 and 1024.")
  static final class SamplerOverhead implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--batches", defaultValue = "1,64,1024", split = ",")
    int[] batches;

    @Option(names = "--seconds", defaultValue = "5", description = "target seconds per measurement")
    double seconds;

    @Option(
        names = "--threads",
        defaultValue = "0",
        description = "intra-op threads (0: ORT's choice)")
    int threads;

    @Option(
        names = "--repeats",
        defaultValue = "3",
        description = "alternating runs of each; the best counts")
    int repeats;

    @Override
    public Integer call() throws OrtException {
      PrintWriter out = spec.commandLine().getOut();
      ModelInfo info = BenchModels.mlpInfo("mlp-bench");
      byte[] onnx = BenchModels.mlp(info, 256);
      OrtRuntime runtime = new OrtRuntime(threads);
      out.println(
          "| batch | NFE | bare ORT loop (evals/s) | PC sampler (evals/s) | sampler / bare "
              + "| sampler time outside model calls (us/eval) | share of sampler wall time in model calls |");
      out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
      try (OrtScoreModel model = runtime.load(onnx, "mlp-bench");
          OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        if (threads > 0) {
          options.setIntraOpNumThreads(threads);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession bare = env.createSession(onnx, options)) {
          for (int b : batches) {
            int evals = calibrate(bare, env, b);
            double bareRate = 0;
            SamplerRun best = null;
            for (int r = 0; r < repeats; r++) {
              bareRate = Math.max(bareRate, bareLoop(bare, env, b, evals));
              SamplerRun run = sampler(model, info, b, evals);
              best = best == null || run.rate() > best.rate() ? run : best;
            }
            out.printf(
                "| %d | %d | %.1f | %.1f | %.3f | %.1f | %.3f |%n",
                b,
                evals,
                bareRate,
                best.rate(),
                best.rate() / bareRate,
                best.outsideMicros(),
                best.modelShare());
            out.flush();
          }
        }
      }
      return 0;
    }

    /** An even number of evaluations that takes about {@code seconds} in the bare loop. */
    private int calibrate(OrtSession session, OrtEnvironment env, int batch) throws OrtException {
      double rate = bareLoop(session, env, batch, 50);
      int evals = (int) Math.max(20, rate * seconds);
      return evals + (evals & 1);
    }

    private static double bareLoop(OrtSession session, OrtEnvironment env, int batch, int evals)
        throws OrtException {
      FloatBuffer x =
          ByteBuffer.allocateDirect(batch * 2 * Float.BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      FloatBuffer t =
          ByteBuffer.allocateDirect(batch * Float.BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      FloatBuffer s =
          ByteBuffer.allocateDirect(batch * 2 * Float.BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      for (int i = 0; i < batch; i++) {
        x.put(2 * i, (float) Math.sin(i)).put(2 * i + 1, (float) Math.cos(i));
        t.put(i, 0.5f);
      }
      long[] xShape = {batch, 2};
      long[] tShape = {batch};
      long start = System.nanoTime();
      for (int e = 0; e < evals; e++) {
        try (OnnxTensor xt = OnnxTensor.createTensor(env, x, xShape);
            OnnxTensor tt = OnnxTensor.createTensor(env, t, tShape);
            OnnxTensor st = OnnxTensor.createTensor(env, s, xShape);
            OrtSession.Result r = session.run(Map.of("x", xt, "t", tt), Map.of("score", st))) {
          x.put(0, s.get(0) * 1e-6f);
        }
      }
      return evals / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * One sampler run: evaluations per second, and how its wall time splits around the model calls.
     */
    private record SamplerRun(double rate, double outsideMicros, double modelShare) {}

    private static SamplerRun sampler(OrtScoreModel model, ModelInfo info, int batch, int evals) {
      long[] inModel = new long[1];
      ScoreModel timed =
          new ScoreModel() {
            @Override
            public ModelInfo info() {
              return info;
            }

            @Override
            public void score(float[] x, float[] t, long[] labels, int n, float[] out) {
              long start = System.nanoTime();
              model.score(x, t, labels, n, out);
              inModel[0] += System.nanoTime() - start;
            }

            @Override
            public void close() {}
          };
      SamplerSpec spec = SamplerSpec.builder().steps(evals / 2).build();
      SamplingProcess p = Samplers.start(spec, info, batch, 42, null);
      BatchEvaluator evaluator = new BatchEvaluator(timed, batch);
      long start = System.nanoTime();
      evaluator.runToCompletion(List.of(p), () -> {});
      long wall = System.nanoTime() - start;
      if (p.nfe() != evals) {
        throw new IllegalStateException(
            "sampler made " + p.nfe() + " evaluations, expected " + evals);
      }
      return new SamplerRun(
          evals / (wall / 1e9), (wall - inModel[0]) / 1e3 / evals, (double) inModel[0] / wall);
    }
  }
}
