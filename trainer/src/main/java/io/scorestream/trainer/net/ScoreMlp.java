package io.scorestream.trainer.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.onnx.OnnxGraphBuilder;
import io.scorestream.core.onnx.OnnxGraphBuilder.Attr;
import io.scorestream.core.onnx.SdeGraph;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A fully connected noise-prediction network for data of D values (flat, or an image flattened),
 * after the toy models of Song et al.'s score_sde: the time goes in through Gaussian Fourier
 * features {@code [sin 2 pi W t, cos 2 pi W t]} (W fixed, drawn from N(0, scale^2)), concatenated
 * with x, then {@code layers} hidden layers of {@code hidden} SiLU units and a linear output {@code
 * eps_hat(x_t, t)} of D values. It is trained to predict the noise z of {@code x_t = m(t) x_0 +
 * sigma(t) z}; its score is {@code -eps_hat / sigma(t)}, which is what the exported ONNX graph
 * computes, so every exported model follows DESIGN.md's score contract. A class-conditional MLP
 * adds a learned row per class ({@code emb [K, hidden]}) to its first hidden layer before the
 * activation.
 */
public final class ScoreMlp implements ScoreNet {
  /**
   * Its shape.
   *
   * @param dim D, values per example
   * @param hidden units per hidden layer
   * @param layers hidden layers
   * @param fourier Fourier frequencies F (2F time features)
   * @param fourierScale standard deviation of the frequencies
   * @param classes classes it is conditioned on, or 0
   */
  public record Config(
      int dim, int hidden, int layers, int fourier, double fourierScale, int classes)
      implements Architecture {
    public Config {
      if (dim < 1
          || hidden < 1
          || layers < 1
          || fourier < 1
          || !(fourierScale > 0)
          || classes < 0) {
        throw new IllegalArgumentException(
            "an MLP needs positive sizes and Fourier scale and no negative classes,"
                + " not dim="
                + dim
                + " hidden="
                + hidden
                + " layers="
                + layers
                + " fourier="
                + fourier
                + " scale="
                + fourierScale
                + " classes="
                + classes);
      }
    }

    /**
     * For 2-D toy data: 3 x 128 units, 16 frequencies of scale 2 (t lies in [0, 1]), unconditional.
     */
    public static Config forDim(int dim) {
      return new Config(dim, 128, 3, 16, 2, 0);
    }

    @Override
    public int numClasses() {
      return classes;
    }

    @Override
    public String describe() {
      return "mlp dim="
          + dim
          + " hidden="
          + hidden
          + " layers="
          + layers
          + " fourier="
          + fourier
          + " scale="
          + fourierScale
          + " classes="
          + classes;
    }
  }

  private final Config config;
  private final float[] frequencies;
  private final Params params;

  private ScoreMlp(Config config, float[] frequencies, Params params) {
    this.config = config;
    this.frequencies = frequencies;
    this.params = params;
  }

  /** A network with Glorot-uniform weights, zero biases and frequencies drawn from {@code seed}. */
  public static ScoreMlp create(Config c, NDManager manager, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] frequencies = FourierFrequencies.draw(random, c.fourier(), c.fourierScale());
    Params p = new Params(manager);
    int in = c.dim() + 2 * c.fourier();
    for (int l = 0; l <= c.layers(); l++) {
      int out = l < c.layers() ? c.hidden() : c.dim();
      float[] w = new float[out * in];
      double limit = Math.sqrt(6.0 / (in + out));
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
      }
      p.add("w" + l, w, in, out); // [in, out]: x W + b, with the batch first in every product
      p.add("b" + l, new float[out], out);
      in = out;
    }
    if (c.classes() > 0) {
      float[] emb = new float[c.classes() * c.hidden()];
      for (int i = 0; i < emb.length; i++) {
        emb[i] = (float) (random.nextGaussian() * 0.1);
      }
      p.add("emb", emb, c.classes(), c.hidden());
    }
    return new ScoreMlp(c, frequencies, p);
  }

  /**
   * A network with the given frequencies and weights (a moving average to check, a state to
   * resume).
   */
  public static ScoreMlp of(
      Config c, Map<String, float[]> constants, Map<String, float[]> weights, NDManager manager) {
    float[] frequencies = FourierFrequencies.from(constants, c.fourier(), "an MLP");
    Map<String, long[]> shapes;
    try (Params declared = create(c, manager, 0).params) {
      shapes = declared.shapes();
    }
    return new ScoreMlp(c, frequencies, Params.of(manager, shapes, weights));
  }

  @Override
  public Config architecture() {
    return config;
  }

  @Override
  public Params params() {
    return params;
  }

  @Override
  public Map<String, float[]> constants() {
    return Map.of(FourierFrequencies.NAME, frequencies.clone());
  }

  @Override
  public NDArray predictNoise(NDArray x, NDArray t, NDArray oneHotLabels) {
    NDArray features = new DjlOps(params, frequencies).fourier(t, config.fourier());
    NDArray h = NDArrays.concat(new NDList(x, features), 1);
    for (int l = 0; l <= config.layers(); l++) {
      h = h.matMul(params.get("w" + l)).add(params.get("b" + l));
      if (l == 0 && config.classes() > 0) {
        h = h.add(oneHotLabels.matMul(params.get("emb")));
      }
      if (l < config.layers()) {
        h = h.mul(Activation.sigmoid(h));
      }
    }
    return h;
  }

  /**
   * The ONNX graph of the score {@code -eps_hat(x, t) / sigma(t)} with these weights (the moving
   * average's, when exporting a checkpoint), under {@code info}'s SDE and metadata.
   */
  @Override
  public byte[] exportOnnx(Map<String, float[]> weights, ModelInfo info) {
    int d = config.dim();
    if (info.numClasses() != config.classes()) {
      throw new IllegalArgumentException(
          "an MLP for "
              + config.classes()
              + " classes exports with that many, not "
              + info.numClasses());
    }
    if (info.dimension() != d) {
      throw new IllegalArgumentException(
          "an MLP for "
              + d
              + "-D data exports with a data shape of "
              + d
              + " values, not "
              + Arrays.toString(info.dataShape()));
    }
    OnnxGraphBuilder g = new OnnxGraphBuilder("score_mlp");
    String x = g.rowsInput("x", info.dataShape());
    String t = g.input("t", DataType.FLOAT, "N");
    OnnxOps.Node features =
        new OnnxOps(g, weights, params.shapes(), frequencies)
            .fourier(new OnnxOps.Node(t), config.fourier());
    String h = g.op("Concat", new Attr[] {Attr.ints("axis", 1)}, x, features.name());
    for (int l = 0; l <= config.layers(); l++) {
      long[] w = params.shape("w" + l);
      h =
          g.op(
              "Gemm",
              h,
              g.floats(weights.get("w" + l), w[0], w[1]),
              g.floats(weights.get("b" + l), w[1]));
      if (l == 0 && config.classes() > 0) {
        String y = g.input("y", DataType.INT64, "N");
        h =
            g.op(
                "Add",
                h,
                g.op(
                    "Gather",
                    new Attr[] {Attr.ints("axis", 0)},
                    g.floats(weights.get("emb"), config.classes(), config.hidden()),
                    y));
      }
      if (l < config.layers()) {
        h = g.op("Mul", h, g.op("Sigmoid", h));
      }
    }
    String std = SdeGraph.kernel(g, info.sde(), g.op("Unsqueeze", t, g.longs(1))).std(g);
    g.rowsOutput(g.op("Neg", g.op("Div", h, std)), "score", info.dataShape());
    return g.build(ModelMetadata.describe(info));
  }
}
