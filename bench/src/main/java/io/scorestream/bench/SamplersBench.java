package io.scorestream.bench;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.PackedScoreModel;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.SamplerKind;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.core.stats.SlicedWasserstein;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream bench samplers}: score evaluations (NFE) against quality for every sampler
 * (the reference PC, DPM-Solver++ 2M, 3M and SDE-2M, EDM's Heun, the adaptive SDE solver) on a 2-D
 * Gaussian mixture whose score is exact, under VP, sub-VP and VE. The adaptive solver, meant for
 * samples of many values, draws {@code --pack} points side by side per sample ({@link
 * PackedScoreModel}) and is measured on the same n points. Quality is the sliced W1 of n samples to
 * the exact mixture and the largest error of a mode's weight; the reference is the PC sampler at
 * 1000 steps (2000 NFE). NFE* is the fewest evaluations that come within 0.01 of the reference's
 * sliced W1 and weight error; the speed-up is the reference's wall time over that setting's, whole
 * process (sampler arithmetic and model calls).
 */
@Command(
    name = "samplers",
    mixinStandardHelpOptions = true,
    description = "NFE against quality for every sampler on exact 2-D mixtures; a Markdown table.")
final class SamplersBench implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--samples", defaultValue = "20000", description = "n per run (default: 20000)")
  int samples;

  @Option(names = "--seed", defaultValue = "7")
  long seed;

  @Option(
      names = "--steps",
      defaultValue = "10,15,20,30,50",
      split = ",",
      description = "DPM-Solver steps tried (default: 10,15,20,30,50)")
  int[] steps;

  @Option(
      names = "--edm-levels",
      defaultValue = "10,18,30",
      split = ",",
      description = "EDM noise levels tried, 2N - 1 evaluations each (default: 10,18,30)")
  int[] edmLevels;

  @Option(
      names = "--adaptive-rtol",
      defaultValue = "0.1,0.05,0.02",
      split = ",",
      description = "the adaptive solver's relative tolerances tried (default: 0.1,0.05,0.02)")
  double[] adaptiveRtol;

  @Option(
      names = "--pack",
      defaultValue = "64",
      description = "points per sample of the adaptive solver (default: 64, 128 values)")
  int pack;

  @Option(
      names = "--sde",
      defaultValue = "ve,vp,subvp",
      split = ",",
      description = "the SDEs measured (default: ve,vp,subvp)")
  String[] sdes;

  @Option(
      names = "--ve-sigma-max",
      defaultValue = "50",
      description =
          "VE's sigma_max (default: 50, far above the mixture's spread of about 8; near it the"
              + " prior N(0, sigma_max^2) no longer matches p_T)")
  double veSigmaMax;

  @Option(names = "--threads", defaultValue = "0", description = "intra-op threads (0: ORT's)")
  int threads;

  /** Four separated components with unequal weights and widths, about 8 wide. */
  static final GaussianMixture MIXTURE =
      new GaussianMixture(
          new double[] {0.4, 0.3, 0.2, 0.1},
          new double[][] {{-3, 0}, {2, 1}, {0, 4}, {3, -3}},
          new double[] {0.5, 0.7, 0.4, 0.6});

  private record Row(String sampler, long nfe, double sw, double weightError, double seconds) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    double[][] directions = SlicedWasserstein.directions(256, 2, 11);
    out.printf(
        "n = %d; sampling floor (expected sliced W1 of n exact draws): %.4f%n%n",
        samples, SlicedWasserstein.expectedBound(MIXTURE, directions, samples));
    out.println(
        "| SDE | sampler | NFE | sliced W1 | max weight error | seconds | NFE* | speed-up |");
    out.println("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |");
    OrtRuntime runtime = new OrtRuntime(threads);
    for (String key : sdes) {
      SdeKind kind = SdeKind.parse(key);
      Sde sde = kind.create(0.01, veSigmaMax, 0.1, 20);
      ModelInfo info =
          new ModelInfo(
              "bench-" + kind.key(),
              "1",
              sde,
              sde.defaultEps(),
              new int[] {2},
              DataScaling.IDENTITY,
              0,
              TimeInput.TIME,
              "",
              -1);
      try (ScoreModel model = runtime.load(GaussianMixtureOnnx.build(MIXTURE, info), "bench")) {
        Row reference = run(model, "PC 1000 steps", SamplerSpec.defaults(), directions);
        List<Row> rows = new ArrayList<>(List.of(reference));
        for (String name :
            List.of("DPM-Solver++(2M)", "DPM-Solver++(3M)", "SDE-DPM-Solver++(2M)")) {
          for (int n : steps) {
            SamplerSpec s =
                SamplerSpec.builder()
                    .kind(SamplerKind.DPM_SOLVER)
                    .order(name.contains("3M") ? 3 : 2)
                    .stochastic(name.startsWith("SDE"))
                    .steps(n)
                    .build();
            rows.add(run(model, name, s, directions));
          }
        }
        for (int n : edmLevels) {
          SamplerSpec s = SamplerSpec.builder().kind(SamplerKind.EDM).steps(n).build();
          rows.add(run(model, "EDM Heun", s, directions));
        }
        ScoreModel packed = new PackedScoreModel(model, pack);
        for (double rtol : adaptiveRtol) {
          SamplerSpec s = SamplerSpec.builder().kind(SamplerKind.ADAPTIVE).rtol(rtol).build();
          rows.add(run(packed, "adaptive SDE, " + pack + " points a sample", s, directions));
        }
        print(out, kind, rows, reference);
      }
    }
    out.flush();
    return 0;
  }

  private Row run(ScoreModel model, String name, SamplerSpec s, double[][] directions) {
    long start = System.nanoTime();
    int perSample = model.info().dimension() / 2;
    SamplingProcess p = Samplers.start(s, model.info(), samples / perSample, seed, null);
    new BatchEvaluator(model, samples).runToCompletion(List.of(p), () -> {});
    double seconds = (System.nanoTime() - start) / 1e9;
    double[][] x = SlicedWasserstein.rows(p.result(), 2);
    return new Row(
        name, p.nfe(), SlicedWasserstein.distance(x, MIXTURE, directions), weightError(x), seconds);
  }

  /** The largest difference between a mode's share of the samples and its weight. */
  private static double weightError(double[][] x) {
    double[] counts = new double[MIXTURE.components()];
    for (double[] row : x) {
      counts[MIXTURE.mode(row)]++;
    }
    double worst = 0;
    for (int k = 0; k < counts.length; k++) {
      worst = Math.max(worst, Math.abs(counts[k] / x.length - MIXTURE.weights()[k]));
    }
    return worst;
  }

  /** The rows of one SDE, each sampler's NFE* and speed-up on its first row that reaches it. */
  private static void print(PrintWriter out, SdeKind kind, List<Row> rows, Row reference) {
    List<String> reached = new ArrayList<>();
    for (Row r : rows) {
      boolean good =
          r != reference
              && r.sw() <= reference.sw() + 0.01
              && r.weightError() <= reference.weightError() + 0.01;
      boolean first = good && !reached.contains(r.sampler());
      if (first) {
        reached.add(r.sampler());
      }
      out.printf(
          Locale.ROOT,
          "| %s | %s | %d | %.4f | %.4f | %.2f | %s | %s |%n",
          kind.key(),
          r.sampler(),
          r.nfe(),
          r.sw(),
          r.weightError(),
          r.seconds(),
          first ? "NFE* = " + r.nfe() : r == reference ? "reference" : "",
          first ? String.format(Locale.ROOT, "%.0fx", reference.seconds() / r.seconds()) : "");
    }
  }
}
