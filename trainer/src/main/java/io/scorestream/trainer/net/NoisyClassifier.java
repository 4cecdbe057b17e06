package io.scorestream.trainer.net;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.onnx.OnnxGraphBuilder;
import io.scorestream.core.onnx.OnnxGraphBuilder.Attr;
import io.scorestream.core.sde.Sde;
import io.scorestream.trainer.train.Optimizer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A noise-conditional classifier {@code p_t(y | x(t))} for classifier guidance (Song et al. 2021,
 * section 5 and appendix I.1; Dhariwal and Nichol 2021): a fully connected network on {@code [x,
 * sin 2 pi W t, cos 2 pi W t]} with {@code layers} hidden layers of SiLU units and K logits,
 * trained by cross-entropy on data perturbed by the SDE's kernel at times drawn uniformly from
 * [eps, T]. ONNX has no autodiff, so the exported graph computes the guidance term itself: next to
 * {@code logits [N, K]} it outputs {@code grad = d log softmax(logits)_y / dx}, the network's
 * backward pass written out as nodes ({@code (onehot(y) - softmax) W^T}, times {@code silu'(z) =
 * sigmoid(z) (1 + z (1 - sigmoid(z)))} at each hidden layer, down to the x rows of the first
 * weight).
 *
 * <p>Shapes: data rows {@code [N, D]} in model space (images flattened); inputs {@code x [N,
 * ...shape]}, {@code t [N]} (time), {@code y [N]} (int64 class).
 */
public final class NoisyClassifier implements AutoCloseable {
  /**
   * Its shape.
   *
   * @param dim D, values per example
   * @param hidden units per hidden layer
   * @param layers hidden layers
   * @param fourier Fourier frequencies of the time (2F features)
   * @param fourierScale standard deviation of the frequencies
   * @param classes K, two or more
   */
  public record Config(
      int dim, int hidden, int layers, int fourier, double fourierScale, int classes) {
    public Config {
      if (dim < 1
          || hidden < 1
          || layers < 1
          || fourier < 1
          || !(fourierScale > 0)
          || classes < 2) {
        throw new IllegalArgumentException(
            "a classifier needs positive sizes and two classes or more, not dim="
                + dim
                + " hidden="
                + hidden
                + " layers="
                + layers
                + " fourier="
                + fourier
                + " classes="
                + classes);
      }
    }
  }

  /**
   * What a training run did.
   *
   * @param steps optimiser steps
   * @param loss mean cross-entropy (nats) of the last steps
   * @param accuracy share of the last steps' examples classified right (over all noise levels)
   * @param elapsed wall time
   */
  public record Result(long steps, double loss, double accuracy, Duration elapsed) {}

  private final Config config;
  private final float[] frequencies;
  private final Params params;
  private final Optimizer optimizer;
  private final NDManager manager;
  private final SplittableRandom random;

  public NoisyClassifier(Config config, NDManager manager, long seed) {
    this.config = config;
    this.manager = manager;
    this.random = new SplittableRandom(seed);
    this.frequencies = FourierFrequencies.draw(random, config.fourier(), config.fourierScale());
    this.params = new Params(manager);
    int in = config.dim() + 2 * config.fourier();
    for (int l = 0; l <= config.layers(); l++) {
      int out = l < config.layers() ? config.hidden() : config.classes();
      float[] w = new float[out * in];
      double limit = Math.sqrt(6.0 / (in + out));
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
      }
      params.add("w" + l, w, in, out); // [in, out]: x W + b
      params.add("b" + l, new float[out], out);
      in = out;
    }
    this.optimizer = new Optimizer(new Optimizer.Settings(1e-3, 0, 1, 0.999), params, manager);
  }

  public Config config() {
    return config;
  }

  private NDArray logits(NDArray x, NDArray t) {
    NDArray h =
        NDArrays.concat(
            new NDList(x, new DjlOps(params, frequencies).fourier(t, config.fourier())), 1);
    for (int l = 0; l <= config.layers(); l++) {
      h = h.matMul(params.get("w" + l)).add(params.get("b" + l));
      if (l < config.layers()) {
        h = h.mul(Activation.sigmoid(h));
      }
    }
    return h;
  }

  /**
   * Trains for {@code steps} steps of {@code batch} rows drawn from {@code rows [N, D]} (model
   * space) with their classes, each perturbed to a time drawn from [eps, T] under {@code sde}.
   */
  public Result train(float[] rows, long[] labels, Sde sde, double eps, int steps, int batch) {
    int d = config.dim();
    int k = config.classes();
    if (rows.length != (long) labels.length * d) {
      throw new IllegalArgumentException(
          labels.length + " labels for " + rows.length / d + " rows");
    }
    for (long label : labels) {
      if (label < 0 || label >= k) {
        throw new IllegalArgumentException("class " + label + " is outside [0, " + k + ")");
      }
    }
    long start = System.nanoTime();
    float[] x = new float[batch * d];
    float[] t = new float[batch];
    float[] oneHot = new float[batch * k];
    double loss = 0;
    double right = 0;
    int window = Math.max(1, Math.min(50, steps));
    for (int s = 0; s < steps; s++) {
      Arrays.fill(oneHot, 0);
      for (int i = 0; i < batch; i++) {
        int row = random.nextInt(labels.length);
        double time = eps + random.nextDouble() * (sde.horizon() - eps);
        double m = sde.meanCoefficient(time);
        double std = sde.marginalStd(time);
        for (int j = 0; j < d; j++) {
          x[i * d + j] = (float) (m * rows[row * d + j] + std * random.nextGaussian());
        }
        t[i] = (float) time;
        oneHot[i * k + (int) labels[row]] = 1;
      }
      try (NDScope scope = new NDScope()) {
        NDArray targets = manager.create(oneHot, new Shape(batch, k));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDArray logits =
              logits(manager.create(x, new Shape(batch, d)), manager.create(t, new Shape(batch)));
          NDArray ce = logits.logSoftmax(1).mul(targets).sum(new int[] {1}).neg().mean();
          collector.backward(ce);
          if (s >= steps - window) {
            loss += ce.getFloat() / window;
            right +=
                logits
                        .argMax(1)
                        .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .eq(targets.argMax(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false))
                        .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .mean()
                        .getFloat()
                    / window;
          }
        }
        optimizer.update();
      }
    }
    return new Result(steps, loss, right, Duration.ofNanos(System.nanoTime() - start));
  }

  /** The moving average of the weights, which the export uses. */
  public Map<String, float[]> averagedWeights() {
    return optimizer.averaged();
  }

  /**
   * The logits {@code [n * K]} and the gradient {@code d log p(y | x, t) / dx} ({@code [n * D]}) by
   * DJL's autograd, with the given weights: the reference the exported graph is checked against.
   */
  public float[][] logitsAndGradient(Map<String, float[]> weights, float[] x, float[] t, long[] y) {
    int n = t.length;
    int d = config.dim();
    try (NDManager local = manager.newSubManager();
        Params fixed = Params.of(local, params.shapes(), weights)) {
      NoisyClassifier view = new NoisyClassifier(config, frequencies, fixed);
      NDArray input = local.create(x, new Shape(n, d));
      input.setRequiresGradient(true);
      float[] oneHot = new float[n * config.classes()];
      for (int i = 0; i < n; i++) {
        oneHot[i * config.classes() + (int) y[i]] = 1;
      }
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray logits = view.logits(input, local.create(t, new Shape(n)));
        NDArray picked =
            logits.logSoftmax(1).mul(local.create(oneHot, new Shape(n, config.classes()))).sum();
        collector.backward(picked);
        return new float[][] {logits.toFloatArray(), input.getGradient().toFloatArray()};
      }
    }
  }

  /**
   * The share of {@code rows [N, D]} (model space) classified right after perturbing each to time
   * {@code t} under {@code sde}, with the given weights: how far into the noise the classifier
   * still sees the class.
   */
  public double accuracy(
      Map<String, float[]> weights, float[] rows, long[] labels, Sde sde, double t, long seed) {
    int d = config.dim();
    int k = config.classes();
    SplittableRandom noise = new SplittableRandom(seed);
    double m = sde.meanCoefficient(t);
    double std = sde.marginalStd(t);
    int right = 0;
    for (int from = 0; from < labels.length; from += 512) {
      int n = Math.min(512, labels.length - from);
      float[] x = new float[n * d];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (m * rows[from * d + i] + std * noise.nextGaussian());
      }
      float[] times = new float[n];
      Arrays.fill(times, (float) t);
      float[] logits =
          logitsAndGradient(weights, x, times, Arrays.copyOfRange(labels, from, from + n))[0];
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int c = 1; c < k; c++) {
          best = logits[i * k + c] > logits[i * k + best] ? c : best;
        }
        right += best == labels[from + i] ? 1 : 0;
      }
    }
    return (double) right / labels.length;
  }

  private NoisyClassifier(Config config, float[] frequencies, Params params) {
    this.config = config;
    this.frequencies = frequencies;
    this.params = params;
    this.optimizer = null;
    this.manager = null;
    this.random = null;
  }

  /**
   * The ONNX graph of {@code logits} and {@code grad} with these weights, under {@code info}'s
   * metadata (its SDE, data shape and scaling, and K classes) marked as a classifier.
   */
  public byte[] exportOnnx(Map<String, float[]> weights, ModelInfo info) {
    int d = config.dim();
    int k = config.classes();
    if (info.dimension() != d || info.numClasses() != k) {
      throw new IllegalArgumentException(
          "a classifier of "
              + d
              + " values and "
              + k
              + " classes exports with that"
              + " data and classes, not "
              + Arrays.toString(info.dataShape())
              + " and "
              + info.numClasses());
    }
    OnnxGraphBuilder g = new OnnxGraphBuilder("noisy_classifier");
    String x = g.rowsInput("x", info.dataShape());
    String t = g.input("t", DataType.FLOAT, "N");
    String y = g.input("y", DataType.INT64, "N");
    OnnxOps.Node features =
        new OnnxOps(g, weights, params.shapes(), frequencies)
            .fourier(new OnnxOps.Node(t), config.fourier());
    String h = g.op("Concat", new Attr[] {Attr.ints("axis", 1)}, x, features.name());
    String[] pre = new String[config.layers()];
    for (int l = 0; l <= config.layers(); l++) {
      long[] w = params.shape("w" + l);
      h =
          g.op(
              "Gemm",
              h,
              g.floats(weights.get("w" + l), w[0], w[1]),
              g.floats(weights.get("b" + l), w[1]));
      if (l < config.layers()) {
        pre[l] = h;
        h = g.op("Mul", h, g.op("Sigmoid", h));
      }
    }
    g.output(h, "logits", DataType.FLOAT, "N", k);
    String oneHot =
        g.op(
            "OneHot",
            new Attr[] {Attr.ints("axis", -1)},
            y,
            g.longs(k),
            g.floats(new float[] {0, 1}, 2));
    String back = g.op("Sub", oneHot, g.op("Softmax", new Attr[] {Attr.ints("axis", 1)}, h));
    for (int l = config.layers(); l >= 1; l--) {
      long[] w = params.shape("w" + l);
      back =
          g.op(
              "Gemm",
              new Attr[] {Attr.ints("transB", 1)},
              back,
              g.floats(weights.get("w" + l), w[0], w[1]));
      back = g.op("Mul", back, siluDerivative(g, pre[l - 1]));
    }
    long[] first = params.shape("w0");
    float[] xRows = Arrays.copyOf(weights.get("w0"), (int) (d * first[1]));
    String grad =
        g.op("Gemm", new Attr[] {Attr.ints("transB", 1)}, back, g.floats(xRows, d, first[1]));
    g.rowsOutput(grad, "grad", info.dataShape());
    Map<String, String> meta = new HashMap<>(ModelMetadata.describe(info));
    meta.put(ModelMetadata.KIND, ModelMetadata.CLASSIFIER);
    return g.build(meta);
  }

  /** {@code silu'(z) = sigmoid(z) (1 + z (1 - sigmoid(z)))}. */
  private static String siluDerivative(OnnxGraphBuilder g, String z) {
    String s = g.op("Sigmoid", z);
    return g.op("Mul", s, g.op("Add", g.scalar(1), g.op("Mul", z, g.op("Sub", g.scalar(1), s))));
  }

  @Override
  public void close() {
    if (optimizer != null) {
      optimizer.close();
      params.close();
    }
  }
}
