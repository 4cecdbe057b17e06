package io.scorestream.trainer.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.onnx.OnnxGraphBuilder;
import io.scorestream.core.onnx.OnnxGraphBuilder.Attr;
import io.scorestream.core.onnx.SdeGraph;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A fully connected noise-prediction network for data of D values (flat, or an image flattened), after the toy models of Song et al.'s
 * score_sde: the time goes in through Gaussian Fourier features {@code [sin 2 pi W t, cos 2 pi W t]} (W fixed, drawn
 * from N(0, scale^2)), concatenated with x, then {@code layers} hidden layers of {@code hidden} SiLU units and a
 * linear output {@code eps_hat(x_t, t)} of D values. It is trained to predict the noise z of
 * {@code x_t = m(t) x_0 + sigma(t) z}; its score is {@code -eps_hat / sigma(t)}, which is what the exported ONNX
 * graph computes, so every exported model follows DESIGN.md's score contract. A class-conditional MLP adds a
 * learned row per class ({@code emb [K, hidden]}) to its first hidden layer before the activation.
 */
public final class ScoreMlp implements ScoreNet {
  /**
   * Its shape.
   *
   * @param dim          D, values per example
   * @param hidden       units per hidden layer
   * @param layers       hidden layers
   * @param fourier      Fourier frequencies F (2F time features)
   * @param fourierScale standard deviation of the frequencies
   * @param classes      classes it is conditioned on, or 0
   */
  public record Config(int dim, int hidden, int layers, int fourier, double fourierScale, int classes)
      implements Architecture {
    public Config {
      if (dim < 1 || hidden < 1 || layers < 1 || fourier < 1 || !(fourierScale > 0) || classes < 0) {
        throw new IllegalArgumentException("an MLP needs positive sizes and Fourier scale and no negative classes,"
            + " not dim=" + dim + " hidden=" + hidden + " layers=" + layers + " fourier=" + fourier + " scale="
            + fourierScale + " classes=" + classes);
      }
    }

    /** For 2-D toy data: 3 x 128 units, 16 frequencies of scale 2 (t lies in [0, 1]), unconditional. */
    public static Config forDim(int dim) {
      return new Config(dim, 128, 3, 16, 2, 0);
    }

    @Override
    public int numClasses() {
      return classes;
    }

    @Override
    public String describe() {
      return "mlp dim=" + dim + " hidden=" + hidden + " layers=" + layers + " fourier=" + fourier + " scale="
          + fourierScale + " classes=" + classes;
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
    float[] frequencies = new float[c.fourier()];
    for (int i = 0; i < frequencies.length; i++) {
      frequencies[i] = (float) (random.nextGaussian() * c.fourierScale());
    }
    Params p = new Params(manager);
    int in = c.dim() + 2 * c.fourier();
    for (int l = 0; l <= c.layers(); l++) {
      int out = l < c.layers() ? c.hidden() : c.dim();
      float[] w = new float[out * in];
      double limit = Math.sqrt(6.0 / (in + out));
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
      }
      p.add("w" + l, w, in, out);   // [in, out]: x W + b, with the batch first in every product
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

  /** A network with the given frequencies and weights (a moving average to check, a state to resume). */
  public static ScoreMlp of(Config c, Map<String, float[]> constants, Map<String, float[]> weights,
      NDManager manager) {
    float[] frequencies = constants.get("frequencies");
    if (frequencies == null || frequencies.length != c.fourier()) {
      throw new IllegalArgumentException("an MLP of " + c.fourier() + " Fourier frequencies needs them");
    }
    ScoreMlp shape = create(c, manager, 0);
    Params p = new Params(manager);
    for (String name : shape.params.names()) {
      float[] values = weights.get(name);
      long[] dims = shape.params.shape(name);
      if (values == null || values.length != java.util.Arrays.stream(dims).reduce(1, (a, b) -> a * b)) {
        throw new IllegalArgumentException("weights for " + name + " of shape " + java.util.Arrays.toString(dims)
            + " are " + (values == null ? "missing" : values.length + " values"));
      }
      p.add(name, values, dims);
    }
    shape.params.close();
    return new ScoreMlp(c, frequencies.clone(), p);
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
    return Map.of("frequencies", frequencies.clone());
  }

  @Override
  public NDArray predictNoise(NDArray x, NDArray t, NDArray oneHotLabels) {
    NDManager m = x.getManager();
    long b = x.getShape().get(0);
    NDArray w = m.create(frequencies, new Shape(1, frequencies.length));
    NDArray proj = t.reshape(b, 1).matMul(w).mul((float) (2 * Math.PI));
    NDArray h = NDArrays.concat(new NDList(x, proj.sin(), proj.cos()), 1);
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
   * The ONNX graph of the score {@code -eps_hat(x, t) / sigma(t)} with these weights (the moving average's, when
   * exporting a checkpoint), under {@code info}'s SDE and metadata.
   */
  @Override
  public byte[] exportOnnx(Map<String, float[]> weights, ModelInfo info) {
    int d = config.dim();
    if (info.numClasses() != config.classes()) {
      throw new IllegalArgumentException("an MLP for " + config.classes() + " classes exports with that many, not "
          + info.numClasses());
    }
    if (info.dimension() != d) {
      throw new IllegalArgumentException("an MLP for " + d + "-D data exports with a data shape of " + d
          + " values, not " + java.util.Arrays.toString(info.dataShape()));
    }
    int[] shape = info.dataShape();
    Object[] dims = new Object[shape.length + 1];
    long[] back = new long[shape.length + 1];
    dims[0] = "N";
    back[0] = -1;
    for (int i = 0; i < shape.length; i++) {
      dims[i + 1] = shape[i];
      back[i + 1] = shape[i];
    }
    OnnxGraphBuilder g = new OnnxGraphBuilder("score_mlp");
    String input = g.input("x", DataType.FLOAT, dims);
    String x = shape.length == 1 ? input : g.op("Reshape", input, g.longs(-1, d));   // images, flattened
    String t = g.input("t", DataType.FLOAT, "N");
    String tc = g.op("Unsqueeze", t, g.longs(1));
    String proj = g.op("Mul", g.op("MatMul", tc, g.floats(frequencies, 1, frequencies.length)),
        g.scalar(2 * Math.PI));
    String h = g.op("Concat", new Attr[] {Attr.ints("axis", 1)}, x, g.op("Sin", proj), g.op("Cos", proj));
    for (int l = 0; l <= config.layers(); l++) {
      long[] w = params.shape("w" + l);
      h = g.op("Gemm", h, g.floats(weights.get("w" + l), w[0], w[1]), g.floats(weights.get("b" + l), w[1]));
      if (l == 0 && config.classes() > 0) {
        String y = g.input("y", DataType.INT64, "N");
        h = g.op("Add", h, g.op("Gather", new Attr[] {Attr.ints("axis", 0)},
            g.floats(weights.get("emb"), config.classes(), config.hidden()), y));
      }
      if (l < config.layers()) {
        h = g.op("Mul", h, g.op("Sigmoid", h));
      }
    }
    String std = SdeGraph.kernel(g, info.sde(), tc).std(g);
    String score = g.op("Neg", g.op("Div", h, std));
    g.output(shape.length == 1 ? score : g.op("Reshape", score, g.longs(back)), "score", DataType.FLOAT, dims);
    return g.build(ModelMetadata.describe(info));
  }
}
