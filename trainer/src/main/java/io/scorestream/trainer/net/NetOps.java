package io.scorestream.trainer.net;

/**
 * The operations a convolutional score network is written in, so that its structure is written once
 * and run three ways: to declare its parameters ({@link ParamShapes}), to compute it in DJL for
 * training ({@link DjlOps}), and to emit it as an ONNX graph ({@link OnnxOps}). Images are {@code
 * [B, C, H, W]}, vectors {@code [B, F]}; each named operation reads its parameters under its name
 * ({@code NAME.w}, {@code NAME.b}, ...).
 *
 * @param <T> a value: an array, a graph node, or a shape
 */
interface NetOps<T> {
  /** Channels of an image. */
  long channels(T image);

  /**
   * A 2-D convolution to {@code out} channels, {@code k x k} kernel, padding {@code k / 2}: {@code
   * NAME.w [out, in, k, k]}, {@code NAME.b [out]}.
   */
  T conv(T x, String name, int out, int k, int stride);

  /** {@code x W + b} to {@code out} features: {@code NAME.w [in, out]}, {@code NAME.b [out]}. */
  T dense(T x, String name, int out);

  /**
   * Group normalisation (Wu and He 2018) over {@code groups} groups of channels, epsilon 1e-5, with
   * a scale {@code NAME.g [C]} and shift {@code NAME.b [C]}.
   */
  T groupNorm(T x, String name, int groups);

  /** {@code x * sigmoid(x)}. */
  T silu(T x);

  /** {@link #silu} of {@link #groupNorm}, as every normalisation of the U-Net is followed. */
  default T groupNormSilu(T x, String name, int groups) {
    return silu(groupNorm(x, name, groups));
  }

  /** Elementwise sum of two values of one shape. */
  T add(T a, T b);

  /** An image plus a per-channel vector: {@code [B, C, H, W] + [B, C]}. */
  T addPerChannel(T image, T vector);

  /** Two images joined along the channels. */
  T concat(T a, T b);

  /** An image {@code [B, C, H, W]} as vectors {@code [B, C H W]}. */
  T flatten(T image);

  /** Nearest-neighbour upsampling by 2 in each spatial dimension. */
  T upsample(T x);

  /**
   * Gaussian Fourier features {@code [sin 2 pi W t, cos 2 pi W t]} of the times {@code [B]}, W
   * fixed.
   */
  T fourier(T t, int frequencies);

  /** A learned row per class, {@code NAME.w [K, out]}, for the labels. */
  T embed(T labels, String name, int classes, int out);
}
