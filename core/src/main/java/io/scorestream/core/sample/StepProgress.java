package io.scorestream.core.sample;

/**
 * Where a sampling job stands.
 *
 * @param step score evaluations' worth of work done, in the sampler's own step units
 * @param totalSteps the sampler's total steps, or -1 when not known in advance (adaptive ODE)
 * @param t the diffusion time the job is at, in [eps, T]
 * @param nfe score evaluations so far
 * @param fraction fraction of the work done, in [0, 1]
 */
public record StepProgress(int step, int totalSteps, double t, long nfe, double fraction) {}
