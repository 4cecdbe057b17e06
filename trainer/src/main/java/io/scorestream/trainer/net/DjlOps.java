package io.scorestream.trainer.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.LayerNorm;

/** A network's structure computed in DJL on a network's parameters; call it inside an NDScope. */
final class DjlOps implements NetOps<NDArray> {
  /** Group normalisation's epsilon, as PyTorch's and ONNX's default. */
  static final float GROUP_NORM_EPS = 1e-5f;

  private final Params params;
  private final float[] frequencies;
  private final FusedGroupNormSilu fused;

  DjlOps(Params params, float[] frequencies) {
    this(params, frequencies, null);
  }

  /** With {@code fused} (or null) computing {@link #groupNormSilu} in PyTorch's fused kernels. */
  DjlOps(Params params, float[] frequencies, FusedGroupNormSilu fused) {
    this.params = params;
    this.frequencies = frequencies;
    this.fused = fused;
  }

  @Override
  public long channels(NDArray image) {
    return image.getShape().get(1);
  }

  @Override
  public NDArray conv(NDArray x, String name, int out, int k, int stride) {
    return Conv2d.conv2d(
            x,
            params.get(name + ".w"),
            params.get(name + ".b"),
            new Shape(stride, stride),
            new Shape(k / 2, k / 2),
            new Shape(1, 1),
            1)
        .singletonOrThrow();
  }

  @Override
  public NDArray dense(NDArray x, String name, int out) {
    return x.matMul(params.get(name + ".w")).add(params.get(name + ".b"));
  }

  @Override
  /**
   * Each group of {@code C / G} channels is one row of {@code [B, G, C/G H W]}, normalised by
   * PyTorch's fused layer norm (mean and biased variance over the row, epsilon inside the root:
   * group norm's statistics exactly), then scaled and shifted per channel. One fused kernel and its
   * fused backward, instead of the ten elementwise operations (and their saved activations) of
   * writing the statistics out.
   */
  public NDArray groupNorm(NDArray x, String name, int groups) {
    Shape shape = x.getShape();
    long c = shape.get(1);
    long row = shape.size() / shape.get(0) / groups;
    NDManager m = x.getManager();
    NDArray grouped = x.reshape(shape.get(0), groups, row);
    NDArray normed =
        LayerNorm.layerNorm(
                grouped,
                new Shape(row),
                m.ones(new Shape(row)),
                m.zeros(new Shape(row)),
                GROUP_NORM_EPS)
            .singletonOrThrow()
            .reshape(shape);
    return normed
        .mul(params.get(name + ".g").reshape(1, c, 1, 1))
        .add(params.get(name + ".b").reshape(1, c, 1, 1));
  }

  @Override
  public NDArray groupNormSilu(NDArray x, String name, int groups) {
    return fused == null
        ? silu(groupNorm(x, name, groups))
        : fused.apply(x, params.get(name + ".g"), params.get(name + ".b"), groups);
  }

  @Override
  public NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  @Override
  public NDArray add(NDArray a, NDArray b) {
    return a.add(b);
  }

  @Override
  public NDArray addPerChannel(NDArray image, NDArray vector) {
    Shape v = vector.getShape();
    return image.add(vector.reshape(v.get(0), v.get(1), 1, 1));
  }

  @Override
  public NDArray concat(NDArray a, NDArray b) {
    return NDArrays.concat(new NDList(a, b), 1);
  }

  @Override
  public NDArray flatten(NDArray image) {
    return image.reshape(image.getShape().get(0), -1);
  }

  @Override
  public NDArray upsample(NDArray x) {
    Shape s = x.getShape();
    // PyTorch's nearest interpolation (mode 0): its backward sums each 2x2 block in one pass, where
    // the backward of a broadcast-and-reshape reduced over two strided axes (ten times slower at
    // 128 x 32 x 28 x 28)
    return x.getNDArrayInternal().interpolation(new long[] {2 * s.get(2), 2 * s.get(3)}, 0, false);
  }

  @Override
  public NDArray fourier(NDArray t, int count) {
    NDArray w = t.getManager().create(frequencies, new Shape(1, frequencies.length));
    NDArray proj = t.reshape(t.getShape().get(0), 1).matMul(w).mul((float) (2 * Math.PI));
    return NDArrays.concat(new NDList(proj.sin(), proj.cos()), 1);
  }

  /**
   * Labels come as one-hot rows {@code [B, K]} (training builds them), so the lookup is a product.
   */
  @Override
  public NDArray embed(NDArray oneHot, String name, int classes, int out) {
    return oneHot.matMul(params.get(name + ".w"));
  }
}
