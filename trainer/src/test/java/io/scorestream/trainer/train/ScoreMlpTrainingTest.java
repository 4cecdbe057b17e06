package io.scorestream.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.data.Toy2d;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SubVpSde;
import io.scorestream.core.sde.VeSde;
import io.scorestream.core.sde.VpSde;
import io.scorestream.core.stats.SlicedWasserstein;
import io.scorestream.jobs.JobCodec;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.trainer.net.ScoreMlp;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The MLP trains by denoising score matching, and its ONNX export computes what DJL computes. */
@Tag("slow")
class ScoreMlpTrainingTest {
  private final OrtRuntime runtime = new OrtRuntime(1);

  static Stream<Sde> sdes() {
    return Stream.of(new VeSde(0.01, 10, 1), new VpSde(0.1, 20, 1), new SubVpSde(0.1, 20, 1));
  }

  private static ModelInfo info(Sde sde) {
    return new ModelInfo(
        "toy",
        "1",
        sde,
        sde.defaultEps(),
        new int[] {2},
        DataScaling.IDENTITY,
        0,
        TimeInput.TIME,
        "moons",
        0);
  }

  /** Samples of a score model by the reference PC sampler (500 steps), as rows. */
  private double[][] samples(byte[] onnx, ModelInfo info, int n) {
    try (ScoreModel model = runtime.load(onnx, "toy")) {
      SamplingProcess p =
          Samplers.start(
              JobCodec.samplerSpec(SamplerSettings.newBuilder().setSteps(500).build()),
              info,
              n,
              11,
              null);
      new BatchEvaluator(model, 4096).runToCompletion(List.of(p), () -> {});
      return SlicedWasserstein.rows(p.result(), 2);
    }
  }

  /**
   * 8gaussians is exactly a Gaussian mixture: eight equal components of std 0.5 / sqrt 2 at radius
   * 4 / sqrt 2.
   */
  private static GaussianMixture eightGaussians() {
    double[] weights = new double[8];
    double[][] means = new double[8][2];
    double[] stds = new double[8];
    for (int k = 0; k < 8; k++) {
      weights[k] = 1.0 / 8;
      means[k][0] = 4 * Math.cos(2 * Math.PI * k / 8) / Math.sqrt(2);
      means[k][1] = 4 * Math.sin(2 * Math.PI * k / 8) / Math.sqrt(2);
      stds[k] = 0.5 / Math.sqrt(2);
    }
    return new GaussianMixture(weights, means, stds);
  }

  static Stream<Objective> objectives() {
    return Stream.of(
        Objective.DENOISING,
        new Objective.Sliced(Objective.Projection.RADEMACHER, Objective.Sliced.DEFAULT_STEP));
  }

  @ParameterizedTest
  @MethodSource("objectives")
  void trainedOnEightGaussiansItsSamplesComeWithinTheSampleSizeBoundOfTheExactScores(
      Objective objective) {
    Sde sde = new VpSde(0.1, 20, 1);
    ModelInfo info = info(sde);
    int n = 2000;
    double[][] heldOut = SlicedWasserstein.rows(Toy2d.EIGHT_GAUSSIANS.sample(n, 99), 2);
    double[][] directions = SlicedWasserstein.directions(64, 2, 5);
    // what two samples of n from the data's distribution may differ by (Bobkov-Ledoux, J estimated
    // from the data)
    double bound = SlicedWasserstein.twoSampleBound(heldOut, directions, n);
    // the exact score under the same sampler: what a perfect network would reach, sampler error
    // included
    double exact =
        SlicedWasserstein.twoSample(
            samples(GaussianMixtureOnnx.build(eightGaussians(), info), info, n),
            heldOut,
            directions);
    try (NDManager manager = NDManager.newBaseManager()) {
      ScoreMlp net = ScoreMlp.create(ScoreMlp.Config.forDim(2), manager, 3);
      double untrained =
          SlicedWasserstein.twoSample(
              samples(net.exportOnnx(net.params().snapshot(), info), info, n), heldOut, directions);
      ScoreMatching.Result r =
          ScoreMatching.train(
              net,
              Toy2d.EIGHT_GAUSSIANS.sample(20_000, 1),
              null,
              new ScoreMatching.Settings(
                  sde,
                  1e-3,
                  128,
                  new Optimizer.Settings(1e-3, 100, 1, 0.999),
                  10_000,
                  null,
                  1,
                  false,
                  objective),
              manager,
              line -> {});
      double trained =
          SlicedWasserstein.twoSample(
              samples(net.exportOnnx(r.averaged(), info), info, n), heldOut, directions);
      assertTrue(
          untrained > exact + bound,
          "the check can fail: an untrained network's samples are "
              + untrained
              + " away, against "
              + exact
              + " + "
              + bound);
      assertTrue(
          trained <= exact + bound,
          objective.describe()
              + ", trained "
              + r.steps()
              + " steps: sliced W1 "
              + trained
              + " to held-out data, against the exact score's "
              + exact
              + " + the sample-size bound "
              + bound);
      assertTrue(
          r.curve().get(r.curve().size() - 1) < r.curve().get(0), "the loss fell: " + r.curve());
    }
  }

  @ParameterizedTest
  @MethodSource("sdes")
  void theExportedScoreEqualsDjlsForwardPassWithinOneInTenThousand(Sde sde) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      ScoreMlp net = ScoreMlp.create(ScoreMlp.Config.forDim(2), manager, 3);
      ScoreMatching.train(
          net,
          Toy2d.MOONS.sample(512, 1),
          null,
          new ScoreMatching.Settings(
              sde,
              sde.defaultEps(),
              64,
              new Optimizer.Settings(1e-3, 10, 1, 0.99),
              50,
              null,
              1,
              false,
              Objective.DENOISING),
          manager,
          line -> {});
      int n = 256;
      SplittableRandom random = new SplittableRandom(4);
      float[] x = new float[2 * n];
      float[] t = new float[n];
      for (int i = 0; i < n; i++) {
        t[i] = (float) (sde.defaultEps() + random.nextDouble() * (1 - sde.defaultEps()));
        x[2 * i] = (float) (3 * random.nextGaussian());
        x[2 * i + 1] = (float) (3 * random.nextGaussian());
      }
      float[] djl;
      try (NDScope scope = new NDScope()) {
        NDArray eps =
            net.predictNoise(
                manager.create(x, new Shape(n, 2)), manager.create(t, new Shape(n)), null);
        djl = eps.toFloatArray();
      }
      float[] onnx = new float[2 * n];
      try (ScoreModel model =
          runtime.load(net.exportOnnx(net.params().snapshot(), info(sde)), "toy")) {
        model.score(x, t, null, n, onnx);
      }
      for (int i = 0; i < 2 * n; i++) {
        double expected = -djl[i] / sde.marginalStd(t[i / 2]);
        assertEquals(expected, onnx[i], 1e-4 * Math.max(1, Math.abs(expected)), "value " + i);
      }
    }
  }
}
