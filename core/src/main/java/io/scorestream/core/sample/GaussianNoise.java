package io.scorestream.core.sample;

import java.util.SplittableRandom;

/**
 * Standard normal noise from one job's own generator, seeded by the job's seed, so a job's draws
 * never depend on which other jobs share its batches. Draws happen in a fixed order (prior, then
 * one block per step).
 */
public final class GaussianNoise {
  private final SplittableRandom random;

  public GaussianNoise(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** Fills {@code z} with independent N(0, 1) draws. */
  public void fill(double[] z) {
    for (int i = 0; i < z.length; i++) {
      z[i] = random.nextGaussian();
    }
  }
}
