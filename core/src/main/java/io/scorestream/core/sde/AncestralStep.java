package io.scorestream.core.sde;

/**
 * A forward Gaussian chain step {@code q(x_i | x_{i-1}) = N(a x_{i-1}, b2 I)} and the noise its
 * ancestral sampler adds: the reverse step is {@code x_{i-1} = (x_i + b2 * score) / a + noiseStd *
 * z} (Song et al. 2021, appendix F; Ho et al. 2020).
 *
 * @param a forward scale of the previous state
 * @param b2 forward noise variance
 * @param noiseStd std of the noise the reverse step adds
 */
public record AncestralStep(double a, double b2, double noiseStd) {}
