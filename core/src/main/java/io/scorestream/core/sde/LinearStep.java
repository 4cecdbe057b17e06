package io.scorestream.core.sde;

/**
 * One discretised forward step {@code x_{i+1} = x_i + driftFactor * x_i + g * z}, z ~ N(0, I).
 *
 * @param driftFactor the discretised drift divided by x (dimensionless)
 * @param g the discretised diffusion G_i (same units as x)
 */
public record LinearStep(double driftFactor, double g) {}
