package io.scorestream.core.sample;

/**
 * Why a job stopped before finishing: a message a person can act on, naming the step.
 *
 * @param step the sampler step at which the job failed
 * @param message what went wrong
 */
public record SamplingFailure(int step, String message) {}
