package io.scorestream.core.model;

/**
 * What the model's {@code t} input carries ({@code scorestream.time_input}): the continuous time t
 * in [eps, T] (score SDE models), or the noise std sigma (NCSN-style models trained on discrete
 * noise levels).
 */
public enum TimeInput {
  TIME,
  SIGMA
}
