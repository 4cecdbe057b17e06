package io.scorestream.trainer.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SubVpSde;
import io.scorestream.core.sde.VeSde;
import io.scorestream.core.sde.VpSde;
import io.scorestream.jobs.JobCodec;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.trainer.train.Objective;
import io.scorestream.trainer.train.Optimizer;
import io.scorestream.trainer.train.ScoreMatching;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The U-Net's ONNX export computes what DJL computes, says what it is, and its class conditioning
 * works.
 */
@Tag("slow")
class ScoreUNetTest {
  private final OrtRuntime runtime = new OrtRuntime(1);

  static Stream<Sde> sdes() {
    return Stream.of(new VeSde(0.01, 10, 1), new VpSde(0.1, 20, 1), new SubVpSde(0.1, 20, 1));
  }

  /**
   * Two channels of 8 x 12 (not square, so a swapped height and width shows), three classes, 8 base
   * channels.
   */
  private static final ScoreUNet.Config CONFIG = new ScoreUNet.Config(2, 8, 12, 8, 3, 16);

  private static ModelInfo info(Sde sde, ScoreUNet.Config c) {
    return new ModelInfo(
        "unet",
        "5",
        sde,
        sde.defaultEps(),
        new int[] {c.channels(), c.height(), c.width()},
        DataScaling.CENTERED,
        c.classes(),
        TimeInput.TIME,
        "tiny",
        5);
  }

  /**
   * Every weight random (the zero-initialised ones too), so that every layer shows in the output.
   */
  private static Map<String, float[]> randomWeights(ScoreNet net, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, float[]> weights = new LinkedHashMap<>();
    net.params()
        .snapshot()
        .forEach(
            (name, values) -> {
              float[] w = new float[values.length];
              for (int i = 0; i < w.length; i++) {
                w[i] = (float) (random.nextGaussian() * 0.3);
              }
              weights.put(name, w);
            });
    return weights;
  }

  @ParameterizedTest
  @MethodSource("sdes")
  void theExportedScoreEqualsDjlsForwardPassWithinOneInTenThousand(Sde sde) {
    try (NDManager manager = NDManager.newBaseManager()) {
      ScoreNet shape = ScoreNet.create(CONFIG, manager, 1);
      Map<String, float[]> weights = randomWeights(shape, 2);
      ScoreNet net = ScoreNet.of(CONFIG, shape.constants(), weights, manager);
      ModelInfo info = info(sde, CONFIG);
      try (ScoreModel model = runtime.load(net.exportOnnx(weights, info), "unet")) {
        double error = net.parityError(model, info, 64, 3);
        assertTrue(error < 1e-4, "relative difference " + error);

        ScoreNet other = ScoreNet.of(CONFIG, shape.constants(), randomWeights(shape, 9), manager);
        assertTrue(
            other.parityError(model, info, 64, 3) > 1e-2,
            "the check fails an export of other weights");
      }
    }
  }

  @Test
  void theExportCarriesTheModelContractAndNeedsLabels() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ScoreNet net = ScoreNet.create(CONFIG, manager, 1);
      ModelInfo info = info(new VpSde(0.1, 20, 1), CONFIG);
      try (ScoreModel model = runtime.load(net.exportOnnx(net.params().snapshot(), info), "unet")) {
        assertEquals(
            info, model.info(), "name, version, SDE, eps, shape, scaling, classes, dataset, step");
        float[] out = new float[CONFIG.dim()];
        IllegalArgumentException unlabelled =
            assertThrows(
                IllegalArgumentException.class,
                () -> model.score(new float[CONFIG.dim()], new float[] {0.5f}, null, 1, out));
        assertTrue(unlabelled.getMessage().contains("labels"), unlabelled.getMessage());
      }
      assertThrows(
          IllegalArgumentException.class,
          () ->
              net.exportOnnx(
                  net.params().snapshot(),
                  new ModelInfo(
                      "unet",
                      "5",
                      new VpSde(0.1, 20, 1),
                      1e-3,
                      new int[] {2, 12, 8},
                      DataScaling.CENTERED,
                      3,
                      TimeInput.TIME,
                      "",
                      0)),
          "an export under another data shape is refused");
    }
    assertEquals(CONFIG, Architecture.parse(CONFIG.describe()), "the state's line reads back");
  }

  @Test
  void aClassConditionalUNetLearnsWhichImageGoesWithWhichLabel() {
    // class 0: every pixel -0.5; class 1: every pixel +0.5 (each with a little noise): samples
    // asked for with a label must come out on its side
    ScoreUNet.Config config = new ScoreUNet.Config(1, 8, 8, 8, 2, 16);
    int n = 512;
    float[] data = new float[n * 64];
    long[] labels = new long[n];
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (int j = 0; j < 64; j++) {
        data[i * 64 + j] = (float) ((labels[i] == 0 ? -0.5 : 0.5) + 0.05 * random.nextGaussian());
      }
    }
    Sde sde = new VpSde(0.1, 20, 1);
    ModelInfo info =
        new ModelInfo(
            "halves",
            "1",
            sde,
            sde.defaultEps(),
            new int[] {1, 8, 8},
            DataScaling.IDENTITY,
            2,
            TimeInput.TIME,
            "halves",
            1);
    try (NDManager manager = NDManager.newBaseManager()) {
      ScoreNet net = ScoreNet.create(config, manager, 1);
      ScoreMatching.Result r =
          ScoreMatching.train(
              net,
              data,
              labels,
              new ScoreMatching.Settings(
                  sde,
                  sde.defaultEps(),
                  64,
                  new Optimizer.Settings(2e-3, 50, 1, 0.99),
                  600,
                  null,
                  1,
                  false,
                  Objective.DENOISING),
              manager,
              line -> {});
      try (ScoreModel model = runtime.load(net.exportOnnx(r.averaged(), info), "halves")) {
        int samples = 20;
        long[] asked = new long[samples];
        for (int i = 0; i < samples; i++) {
          asked[i] = i % 2;
        }
        SamplingProcess p =
            Samplers.start(
                JobCodec.samplerSpec(SamplerSettings.newBuilder().setSteps(200).build()),
                info,
                samples,
                7,
                asked);
        new BatchEvaluator(model, 4096).runToCompletion(List.of(p), () -> {});
        float[] x = p.result();
        for (int i = 0; i < samples; i++) {
          double mean = 0;
          for (int j = 0; j < 64; j++) {
            mean += x[i * 64 + j] / 64.0;
          }
          assertEquals(
              asked[i] == 0 ? -0.5 : 0.5,
              mean,
              0.15,
              "sample " + i + " asked for class " + asked[i] + " (loss " + r.curve() + ")");
        }
      }
    }
  }
}
