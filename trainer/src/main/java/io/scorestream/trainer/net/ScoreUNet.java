package io.scorestream.trainer.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.onnx.OnnxGraphBuilder;
import io.scorestream.core.onnx.SdeGraph;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small U-Net noise-prediction network for images {@code [C, H, W]}, after DDPM (Ho et al. 2020)
 * and the DDPM++ models of Song et al.'s score_sde, cut down for a CPU: three resolutions (H, H/2,
 * H/4) with {@code base}, {@code 2 base} and {@code 2 base} channels, one residual block per
 * resolution on the way down, one in the middle and one per resolution on the way up, each taking
 * the skip of its resolution; downsampling by stride-2 convolutions, upsampling by nearest
 * neighbour and a convolution. A residual block is GroupNorm, SiLU, 3x3 conv, plus a projection of
 * the time embedding, GroupNorm, SiLU, 3x3 conv, plus the input (1x1 conv when the channels
 * change). The time embedding is Gaussian Fourier features of t ({@code base} frequencies of scale
 * {@code scale}), a dense layer to {@code 4 base}, SiLU and another; a class-conditional network
 * adds a learned row per class. Its structure is written once ({@link #structure}) and run in DJL
 * to train and as ONNX nodes to export.
 */
public final class ScoreUNet implements ScoreNet {
  /**
   * Its shape.
   *
   * @param channels image channels C
   * @param height H, a multiple of 4
   * @param width W, a multiple of 4
   * @param base channels at full resolution (a multiple of 4)
   * @param classes classes it is conditioned on, or 0
   * @param scale standard deviation of the Fourier frequencies (t lies in [0, T])
   */
  public record Config(int channels, int height, int width, int base, int classes, double scale)
      implements Architecture {
    public Config {
      if (channels < 1 || height < 4 || width < 4 || height % 4 != 0 || width % 4 != 0) {
        throw new IllegalArgumentException(
            "a U-Net takes images of at least one channel whose height and width are"
                + " multiples of 4, not "
                + channels
                + "x"
                + height
                + "x"
                + width);
      }
      if (base < 4 || base % 4 != 0 || classes < 0 || !(scale > 0)) {
        throw new IllegalArgumentException(
            "a U-Net's base channels are a positive multiple of 4 (got "
                + base
                + "), its classes not negative (got "
                + classes
                + ") and its Fourier scale positive (got "
                + scale
                + ")");
      }
    }

    /** The defaults for an image shape: 32 base channels, Fourier scale 16 (score_sde's). */
    public static Config forImages(int[] shape, int base, int classes) {
      if (shape.length != 3) {
        throw new IllegalArgumentException(
            "a U-Net takes images [C, H, W], not data of shape " + Arrays.toString(shape));
      }
      return new Config(shape[0], shape[1], shape[2], base, classes, 16);
    }

    @Override
    public int dim() {
      return channels * height * width;
    }

    @Override
    public int numClasses() {
      return classes;
    }

    @Override
    public String describe() {
      return "unet channels="
          + channels
          + " height="
          + height
          + " width="
          + width
          + " base="
          + base
          + " classes="
          + classes
          + " scale="
          + scale;
    }
  }

  private final Config config;
  private final float[] frequencies;
  private final Params params;
  private final Map<String, long[]> shapes;
  private final FusedGroupNormSilu fused;

  private ScoreUNet(Config config, float[] frequencies, Params params, Map<String, long[]> shapes) {
    this.config = config;
    this.frequencies = frequencies;
    this.params = params;
    this.shapes = shapes;
    this.fused = FusedGroupNormSilu.on(params.manager());
  }

  /**
   * Groups of a group norm over {@code c} channels: 8, or groups of 4 channels when there are fewer
   * than 32.
   */
  static int groups(long c) {
    return (int) (c >= 32 ? 8 : c / 4);
  }

  /**
   * The network, in any {@link NetOps}: {@code x [C, H, W]}, {@code t} and (class-conditional)
   * labels to the predicted noise {@code [C, H, W]}.
   */
  static <T> T structure(NetOps<T> ops, Config c, T x, T t, T labels) {
    int b = c.base();
    int emb = 4 * b;
    T temb = ops.dense(ops.silu(ops.dense(ops.fourier(t, b), "time.0", emb)), "time.1", emb);
    if (c.classes() > 0) {
      temb = ops.add(temb, ops.embed(labels, "class", c.classes(), emb));
    }
    T h = ops.conv(x, "in", b, 3, 1);
    T skip0 = h = block(ops, h, "down.0", b, temb);
    h = ops.conv(h, "down.0.pool", b, 3, 2);
    T skip1 = h = block(ops, h, "down.1", 2 * b, temb);
    h = ops.conv(h, "down.1.pool", 2 * b, 3, 2);
    T skip2 = h = block(ops, h, "down.2", 2 * b, temb);
    h = block(ops, h, "middle", 2 * b, temb);
    h = block(ops, ops.concat(h, skip2), "up.2", 2 * b, temb);
    h = ops.conv(ops.upsample(h), "up.2.grow", 2 * b, 3, 1);
    h = block(ops, ops.concat(h, skip1), "up.1", 2 * b, temb);
    h = ops.conv(ops.upsample(h), "up.1.grow", 2 * b, 3, 1);
    h = block(ops, ops.concat(h, skip0), "up.0", b, temb);
    return ops.conv(ops.groupNormSilu(h, "out.norm", groups(b)), "out", c.channels(), 3, 1);
  }

  private static <T> T block(NetOps<T> ops, T x, String name, int out, T temb) {
    int in = (int) ops.channels(x);
    T h = ops.conv(ops.groupNormSilu(x, name + ".n1", groups(in)), name + ".c1", out, 3, 1);
    h = ops.addPerChannel(h, ops.dense(ops.silu(temb), name + ".t", out));
    h = ops.conv(ops.groupNormSilu(h, name + ".n2", groups(out)), name + ".c2", out, 3, 1);
    return ops.add(h, in == out ? x : ops.conv(x, name + ".skip", out, 1, 1));
  }

  /** A network with initial weights and frequencies drawn from {@code seed}. */
  public static ScoreUNet create(Config c, NDManager manager, long seed) {
    ParamShapes declared = declare(c, seed);
    float[] frequencies =
        FourierFrequencies.draw(new SplittableRandom(seed ^ 0x5DEECE66DL), c.base(), c.scale());
    return new ScoreUNet(
        c,
        frequencies,
        Params.of(manager, declared.shapes(), declared.values()),
        declared.shapes());
  }

  /** A network with the given frequencies and weights. */
  public static ScoreUNet of(
      Config c, Map<String, float[]> constants, Map<String, float[]> weights, NDManager manager) {
    float[] frequencies =
        FourierFrequencies.from(constants, c.base(), "a U-Net of base " + c.base());
    Map<String, long[]> shapes = declare(c, 0).shapes();
    return new ScoreUNet(c, frequencies, Params.of(manager, shapes, weights), shapes);
  }

  private static ParamShapes declare(Config c, long seed) {
    ParamShapes shapes = new ParamShapes(seed);
    structure(
        shapes, c, new long[] {c.channels(), c.height(), c.width()}, new long[0], new long[0]);
    return shapes;
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
    long b = x.getShape().get(0);
    NDArray image = x.reshape(b, config.channels(), config.height(), config.width());
    NDArray eps = structure(new DjlOps(params, frequencies, fused), config, image, t, oneHotLabels);
    return eps.reshape(b, config.dim());
  }

  @Override
  public byte[] exportOnnx(Map<String, float[]> weights, ModelInfo info) {
    int[] shape = info.dataShape();
    if (!Arrays.equals(shape, new int[] {config.channels(), config.height(), config.width()})) {
      throw new IllegalArgumentException(
          "a U-Net for "
              + config.channels()
              + "x"
              + config.height()
              + "x"
              + config.width()
              + " images exports with that data shape, not "
              + Arrays.toString(shape));
    }
    if (info.numClasses() != config.classes()) {
      throw new IllegalArgumentException(
          "a U-Net for "
              + config.classes()
              + " classes exports with that many, not "
              + info.numClasses());
    }
    Object[] dims = OnnxGraphBuilder.batchOf(shape);
    OnnxGraphBuilder g = new OnnxGraphBuilder("score_unet");
    OnnxOps.Node x =
        new OnnxOps.Node(g.input("x", DataType.FLOAT, dims), shape[0], shape[1], shape[2]);
    OnnxOps.Node t = new OnnxOps.Node(g.input("t", DataType.FLOAT, "N"));
    OnnxOps.Node y = config.classes() > 0 ? OnnxOps.labels(g) : null;
    OnnxOps.Node eps =
        structure(
            new OnnxOps(g, weights, new LinkedHashMap<>(shapes), frequencies), config, x, t, y);
    String std =
        SdeGraph.kernel(g, info.sde(), g.op("Unsqueeze", t.name(), g.longs(1, 2, 3))).std(g);
    g.output(g.op("Neg", g.op("Div", eps.name(), std)), "score", DataType.FLOAT, dims);
    return g.build(ModelMetadata.describe(info));
  }
}
