package io.scorestream.trainer.net;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs a network's structure on shapes alone ({@code [C, H, W]} or {@code [F]}, no batch) to
 * declare its parameters, drawing initial values: convolutions and dense layers uniform with
 * variance {@code 2 / (fan_in + fan_out)} (Glorot, the reference code's {@code default_init}); the
 * last convolution of each residual block ({@code *.c2}) and the output convolution ({@code out})
 * start at zero, as DDPM's and score_sde's {@code init_scale=0.}, so each block starts as the
 * identity and the network as zero; biases and shifts zero, scales one.
 */
final class ParamShapes implements NetOps<long[]> {
  private final SplittableRandom random;
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Map<String, float[]> values = new LinkedHashMap<>();

  ParamShapes(long seed) {
    this.random = new SplittableRandom(seed);
  }

  Map<String, long[]> shapes() {
    return shapes;
  }

  Map<String, float[]> values() {
    return values;
  }

  private void weights(String name, long fanIn, long fanOut, long... shape) {
    int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    float[] w = new float[n];
    double scale = name.endsWith(".c2.w") || name.equals("out.w") ? 0 : 1;
    double limit = scale * Math.sqrt(6.0 / (fanIn + fanOut));
    for (int i = 0; i < n; i++) {
      w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
    }
    put(name, w, shape);
  }

  private void put(String name, float[] v, long... shape) {
    if (shapes.putIfAbsent(name, shape) != null) {
      throw new IllegalStateException("two parameters named " + name);
    }
    values.put(name, v);
  }

  private static float[] filled(long n, float value) {
    float[] v = new float[(int) n];
    Arrays.fill(v, value);
    return v;
  }

  @Override
  public long channels(long[] image) {
    return image[0];
  }

  @Override
  public long[] conv(long[] x, String name, int out, int k, int stride) {
    weights(name + ".w", x[0] * k * k, (long) out * k * k, out, x[0], k, k);
    put(name + ".b", new float[out], out);
    long h = (x[1] + 2 * (k / 2) - k) / stride + 1;
    long w = (x[2] + 2 * (k / 2) - k) / stride + 1;
    return new long[] {out, h, w};
  }

  @Override
  public long[] dense(long[] x, String name, int out) {
    weights(name + ".w", x[0], out, x[0], out);
    put(name + ".b", new float[out], out);
    return new long[] {out};
  }

  @Override
  public long[] groupNorm(long[] x, String name, int groups) {
    if (x[0] % groups != 0) {
      throw new IllegalArgumentException(
          name + ": " + x[0] + " channels do not split into " + groups + " groups");
    }
    put(name + ".g", filled(x[0], 1), x[0]);
    put(name + ".b", new float[(int) x[0]], x[0]);
    return x;
  }

  @Override
  public long[] silu(long[] x) {
    return x;
  }

  @Override
  public long[] add(long[] a, long[] b) {
    if (!Arrays.equals(a, b)) {
      throw new IllegalArgumentException(
          "cannot add " + Arrays.toString(a) + " and " + Arrays.toString(b));
    }
    return a;
  }

  @Override
  public long[] addPerChannel(long[] image, long[] vector) {
    if (image[0] != vector[0]) {
      throw new IllegalArgumentException(
          "a vector of " + vector[0] + " for " + image[0] + " channels");
    }
    return image;
  }

  @Override
  public long[] concat(long[] a, long[] b) {
    if (a[1] != b[1] || a[2] != b[2]) {
      throw new IllegalArgumentException(
          "cannot join images of " + a[1] + "x" + a[2] + " and " + b[1] + "x" + b[2]);
    }
    return new long[] {a[0] + b[0], a[1], a[2]};
  }

  @Override
  public long[] flatten(long[] image) {
    return new long[] {image[0] * image[1] * image[2]};
  }

  @Override
  public long[] upsample(long[] x) {
    return new long[] {x[0], 2 * x[1], 2 * x[2]};
  }

  @Override
  public long[] fourier(long[] t, int frequencies) {
    return new long[] {2L * frequencies};
  }

  @Override
  public long[] embed(long[] labels, String name, int classes, int out) {
    weights(name + ".w", classes, out, classes, out);
    return new long[] {out};
  }
}
