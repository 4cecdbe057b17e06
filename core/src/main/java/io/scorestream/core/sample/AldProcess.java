package io.scorestream.core.sample;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.sde.VeSde;

/**
 * Annealed Langevin dynamics of NCSN (Song and Ermon, "Generative Modeling by Estimating Gradients
 * of the Data Distribution", NeurIPS 2019, algorithm 1): L geometric noise levels from sigma_max
 * down to sigma_min, T steps at each with step size {@code alpha_i = eps * sigma_i^2 / sigma_L^2},
 * update {@code x <- x + alpha_i / 2 * s(x, sigma_i) + sqrt(alpha_i) z}; optionally a final
 * denoising step {@code x + sigma_L^2 s(x, sigma_L)} (Tweedie's formula, Song and Ermon 2020).
 * Starts from the VE prior {@code N(0, sigma_max^2 I)}. Queries carry the VE time of each level; a
 * model that takes sigma gets sigma.
 */
final class AldProcess extends SamplingProcess {
  private final VeSde sde;
  private final SamplerSpec spec;
  private final GaussianNoise noise;
  private final double[] x;
  private final double[] z;
  private final double[] sigmas;
  private final int total;
  private int op;

  AldProcess(
      VeSde sde,
      SamplerSpec spec,
      int samples,
      int dimension,
      long[] labels,
      DataScaling scaling,
      long seed) {
    super(sde, samples, dimension, labels, scaling);
    this.sde = sde;
    this.spec = spec;
    this.noise = new GaussianNoise(seed);
    int levels = spec.levels();
    sigmas = new double[levels];
    for (int i = 0; i < levels; i++) {
      sigmas[i] =
          levels == 1
              ? sde.sigmaMin()
              : Math.exp(
                  Math.log(sde.sigmaMax())
                      + i * (Math.log(sde.sigmaMin()) - Math.log(sde.sigmaMax())) / (levels - 1));
    }
    total = levels * spec.steps() + (spec.denoise() ? 1 : 0);
    x = new double[samples * dimension];
    z = new double[x.length];
    noise.fill(x);
    for (int i = 0; i < x.length; i++) {
      x[i] *= sde.sigmaMax();
    }
    setQuery(x, timeOf(0));
  }

  private int level(int k) {
    return Math.min(k / spec.steps(), sigmas.length - 1);
  }

  private double timeOf(int k) {
    return sde.timeOfSigma(sigmas[level(k)]);
  }

  @Override
  protected void advance(float[] score, int off) {
    double sigma = sigmas[level(op)];
    double sigmaLast = sigmas[sigmas.length - 1];
    if (op < sigmas.length * spec.steps()) {
      double alpha = spec.stepLr() * sigma * sigma / (sigmaLast * sigmaLast);
      double noiseScale = Math.sqrt(alpha);
      noise.fill(z);
      for (int i = 0; i < x.length; i++) {
        x[i] += 0.5 * alpha * score[off + i] + noiseScale * z[i];
      }
    } else {
      for (int i = 0; i < x.length; i++) {
        x[i] += sigmaLast * sigmaLast * score[off + i];
      }
    }
    op++;
    if (op < total) {
      setQuery(x, timeOf(op));
    }
  }

  @Override
  public StepProgress progress() {
    int k = Math.min(op, total - 1);
    return new StepProgress(op, total, timeOf(k), nfe(), (double) op / total);
  }

  @Override
  protected boolean done() {
    return op == total;
  }

  @Override
  protected double[] output() {
    return x;
  }
}
