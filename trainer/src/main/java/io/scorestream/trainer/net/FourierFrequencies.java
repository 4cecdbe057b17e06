package io.scorestream.trainer.net;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * The fixed frequencies W of Gaussian Fourier time features {@code [sin 2 pi W t, cos 2 pi W t]}
 * (Tancik et al. 2020, as score_sde's {@code GaussianFourierProjection}): drawn once from {@code
 * N(0, scale^2)}, kept with the network as its constant {@value #NAME}.
 */
final class FourierFrequencies {
  /** The constant's name in {@link ScoreNet#constants()} and the state file. */
  static final String NAME = "frequencies";

  private FourierFrequencies() {}

  /** {@code count} frequencies drawn from {@code N(0, scale^2)}. */
  static float[] draw(SplittableRandom random, int count, double scale) {
    float[] w = new float[count];
    for (int i = 0; i < count; i++) {
      w[i] = (float) (random.nextGaussian() * scale);
    }
    return w;
  }

  /**
   * A network's frequencies from its constants, copied.
   *
   * @throws IllegalArgumentException when they are missing or not {@code count}
   */
  static float[] from(Map<String, float[]> constants, int count, String network) {
    float[] w = constants.get(NAME);
    if (w == null || w.length != count) {
      throw new IllegalArgumentException(
          network
              + " needs "
              + count
              + " Fourier frequencies, and its constants hold "
              + (w == null ? "none" : w.length));
    }
    return w.clone();
  }
}
