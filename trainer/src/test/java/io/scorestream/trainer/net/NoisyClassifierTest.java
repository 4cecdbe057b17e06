package io.scorestream.trainer.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.GuidedScoreModel;
import io.scorestream.core.model.ModelFormatException;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.core.sde.VpSde;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The noise-conditional classifier learns the classes of noised data, its exported gradient graph
 * computes what DJL's autograd computes, and it guides an unconditional model's samples to the
 * asked class.
 */
@Tag("slow")
class NoisyClassifierTest {
  private static final VpSde SDE = new VpSde(0.1, 20, 1);

  /** Two classes: blobs at (-2, 0) and (2, 0), std 0.3, equal weights. */
  private static final GaussianMixture BLOBS =
      new GaussianMixture(
          new double[] {0.5, 0.5}, new double[][] {{-2, 0}, {2, 0}}, new double[] {0.3, 0.3});

  private static ModelInfo info(int classes) {
    return new ModelInfo(
        "blobs",
        "1",
        SDE,
        SDE.defaultEps(),
        new int[] {2},
        DataScaling.IDENTITY,
        classes,
        TimeInput.TIME,
        "blobs",
        -1);
  }

  private static NoisyClassifier trained(NDManager manager) {
    SplittableRandom random = new SplittableRandom(3);
    int n = 4000;
    float[] rows = new float[n * 2];
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextInt(2);
      rows[2 * i] = (float) ((labels[i] == 0 ? -2 : 2) + 0.3 * random.nextGaussian());
      rows[2 * i + 1] = (float) (0.3 * random.nextGaussian());
    }
    NoisyClassifier c =
        new NoisyClassifier(new NoisyClassifier.Config(2, 64, 2, 8, 2, 2), manager, 5);
    NoisyClassifier.Result r = c.train(rows, labels, SDE, SDE.defaultEps(), 600, 128);
    // over t uniform in [eps, 1], the blobs stay apart while m(t) 2 / sigma(t) is above about 1:
    // for t up to ~0.5
    assertTrue(r.accuracy() > 0.7, "accuracy over all noise levels " + r.accuracy());
    assertTrue(r.loss() < 0.6, "cross-entropy " + r.loss());
    return c;
  }

  @Test
  void exportedGradientMatchesAutogradAndGuidesSamplesToTheClass() {
    try (NDManager manager = NDManager.newBaseManager();
        NoisyClassifier c = trained(manager)) {
      Map<String, float[]> weights = c.averagedWeights();
      byte[] onnx = c.exportOnnx(weights, info(2));
      OrtRuntime runtime = new OrtRuntime(1);
      int n = 64;
      SplittableRandom random = new SplittableRandom(9);
      float[] x = new float[n * 2];
      float[] t = new float[n];
      long[] y = new long[n];
      for (int i = 0; i < n; i++) {
        x[2 * i] = (float) (3 * random.nextGaussian());
        x[2 * i + 1] = (float) random.nextGaussian();
        t[i] = (float) (0.001 + random.nextDouble());
        y[i] = random.nextInt(2);
      }
      float[] reference = c.logitsAndGradient(weights, x, t, y)[1];
      try (ScoreModel classifier = runtime.loadClassifier(onnx, "blobs-classifier");
          ScoreModel score = runtime.load(GaussianMixtureOnnx.build(BLOBS, info(0)), "blobs")) {
        float[] grad = new float[n * 2];
        classifier.score(x, t, y, n, grad);
        for (int i = 0; i < grad.length; i++) {
          assertEquals(
              reference[i], grad[i], 1e-4 * (1 + Math.abs(reference[i])), "gradient value " + i);
        }
        // guided to class 1 at scale 1, the unconditional blobs give samples of the right blob
        ScoreModel guided = new GuidedScoreModel(score, classifier, 1);
        int samples = 1000;
        long[] labels = new long[samples];
        Arrays.fill(labels, 1);
        SamplingProcess p =
            Samplers.start(
                SamplerSpec.builder().steps(500).build(), guided.info(), samples, 4, labels);
        new BatchEvaluator(guided, 4096).runToCompletion(List.of(p), () -> {});
        float[] s = p.result();
        int right = 0;
        for (int i = 0; i < samples; i++) {
          right += s[2 * i] > 0 ? 1 : 0;
        }
        assertTrue(
            right > 0.95 * samples,
            right + " of " + samples + " samples in the guided class's blob");
        assertThrows(ModelFormatException.class, () -> runtime.load(onnx, "classifier-as-model"));
        assertThrows(
            IllegalArgumentException.class, () -> new GuidedScoreModel(score, classifier, -1));
      }
    }
  }
}
