package io.scorestream.core.onnx;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.onnx.OnnxGraphBuilder.Attr;
import io.scorestream.core.sde.Sde;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes the exact perturbed score of a {@link GaussianMixture} under an SDE as an ONNX graph with
 * the ScoreStream contract: inputs {@code x: float32[N, ...shape]}, {@code t: float32[N]}, output
 * {@code score: float32[N, ...shape]}, where the data shape (e.g. {@code [D]}, or {@code [1, H, W]}
 * for images) holds D values. Per row, flattened: {@code m = meanCoefficient(t)}, {@code v_k = m^2
 * s_k^2 + std(t)^2}, {@code r = softmax_k(log w_k - D/2 log v_k - |m mu_k - x|^2 / (2 v_k))},
 * {@code score = sum_k r_k (m mu_k - x) / v_k}. These models are the ground truth for sampler
 * tests.
 */
public final class GaussianMixtureOnnx {
  private GaussianMixtureOnnx() {}

  /**
   * The serialised ONNX model; {@code info} must carry the same SDE and a data shape of D values.
   */
  public static byte[] build(GaussianMixture gmm, ModelInfo info) {
    OnnxGraphBuilder g = new OnnxGraphBuilder("gaussian_mixture_score");
    Parts p = parts(g, gmm, info);
    g.rowsOutput(mixtureScore(g, p), "score", info.dataShape());
    return g.build(ModelMetadata.describe(info));
  }

  /**
   * The exact noise-conditional classifier of the mixture's components, with the contract of a
   * trained one ({@code scorestream.kind=noise-conditional-classifier}; inputs x, t, y; outputs
   * {@code logits [N, K]} and {@code grad [N, ...shape]}): {@code p_t(k | x) = r_k(x)}, so {@code
   * grad_x log p_t(y | x) = s_y(x, t) - s(x, t)}, component y's perturbed score less the mixture's.
   * Guidance at scale 1 with it samples component y exactly; the ground truth for guidance tests.
   * {@code info} carries the SDE, the data shape and K = the components as classes.
   */
  public static byte[] classifier(GaussianMixture gmm, ModelInfo info) {
    if (info.numClasses() != gmm.components()) {
      throw new IllegalArgumentException(
          "the classifier's classes are the "
              + gmm.components()
              + " components, not "
              + info.numClasses());
    }
    OnnxGraphBuilder g = new OnnxGraphBuilder("gaussian_mixture_classifier");
    Parts p = parts(g, gmm, info);
    String y = g.input("y", DataType.INT64, "N");
    g.output(p.logits(), "logits", DataType.FLOAT, "N", gmm.components());
    String oneHot =
        g.op(
            "OneHot",
            new Attr[] {Attr.ints("axis", -1)},
            y,
            g.longs(gmm.components()),
            g.floats(new float[] {0, 1}, 2));
    String component = g.op("Div", p.diff(), g.op("Unsqueeze", p.v(), g.longs(2)));
    String chosen =
        g.op(
            "ReduceSum",
            new Attr[] {Attr.ints("keepdims", 0)},
            g.op("Mul", g.op("Unsqueeze", oneHot, g.longs(2)), component),
            g.longs(1));
    g.rowsOutput(g.op("Sub", chosen, mixtureScore(g, p)), "grad", info.dataShape());
    Map<String, String> meta = new HashMap<>(ModelMetadata.describe(info));
    meta.put(ModelMetadata.KIND, ModelMetadata.CLASSIFIER);
    return g.build(meta);
  }

  /**
   * The graph's shared values, per row: {@code diff [N, K, D] = m mu_k - x}, {@code v [N, K]} the
   * perturbed component variances, {@code logits [N, K] = log w_k - D/2 log v_k - |diff_k|^2 / (2
   * v_k)}.
   */
  private record Parts(String diff, String v, String logits) {}

  private static Parts parts(OnnxGraphBuilder g, GaussianMixture gmm, ModelInfo info) {
    int k = gmm.components();
    int d = gmm.dimension();
    int[] shape = info.dataShape();
    if (info.dimension() != d) {
      throw new IllegalArgumentException(
          "a "
              + d
              + "-D mixture needs a data shape of "
              + d
              + " values, got "
              + Arrays.toString(shape));
    }
    Sde sde = info.sde();
    String x = g.rowsInput("x", shape);
    String t = g.input("t", DataType.FLOAT, "N");
    String tc = g.op("Unsqueeze", t, g.longs(1));

    SdeGraph.Kernel kernel = SdeGraph.kernel(g, sde, tc);
    String alpha = kernel.mean();
    String noiseVar = kernel.variance();

    float[] s2 = new float[k];
    float[] logw = new float[k];
    float[] mu = new float[k * d];
    for (int c = 0; c < k; c++) {
      s2[c] = (float) (gmm.stds()[c] * gmm.stds()[c]);
      logw[c] = (float) Math.log(gmm.weights()[c]);
      for (int j = 0; j < d; j++) {
        mu[c * d + j] = (float) gmm.means()[c][j];
      }
    }
    String compVar = g.floats(s2, k);
    String means = g.floats(mu, k, d);
    String v;
    String m;
    if (alpha == null) {
      v = g.op("Add", compVar, noiseVar);
      m = means;
    } else {
      v = g.op("Add", g.op("Mul", g.op("Mul", alpha, alpha), compVar), noiseVar);
      m = g.op("Mul", g.op("Unsqueeze", alpha, g.longs(2)), means);
    }
    String diff = g.op("Sub", m, g.op("Unsqueeze", x, g.longs(1)));
    Attr noKeep = Attr.ints("keepdims", 0);
    String sq = g.op("ReduceSum", new Attr[] {noKeep}, g.op("Mul", diff, diff), g.longs(2));
    String logits =
        g.op(
            "Sub",
            g.op("Sub", g.floats(logw, k), g.op("Mul", g.scalar(0.5 * d), g.op("Log", v))),
            g.op("Div", sq, g.op("Mul", v, g.scalar(2))));
    return new Parts(diff, v, logits);
  }

  /** {@code score = sum_k r_k diff_k / v_k} with {@code r = softmax(logits)}, {@code [N, D]}. */
  private static String mixtureScore(OnnxGraphBuilder g, Parts p) {
    String r = g.op("Softmax", new Attr[] {Attr.ints("axis", 1)}, p.logits());
    String coef = g.op("Unsqueeze", g.op("Div", r, p.v()), g.longs(2));
    return g.op(
        "ReduceSum",
        new Attr[] {Attr.ints("keepdims", 0)},
        g.op("Mul", coef, p.diff()),
        g.longs(1));
  }
}
