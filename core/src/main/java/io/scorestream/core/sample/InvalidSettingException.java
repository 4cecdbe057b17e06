package io.scorestream.core.sample;

/**
 * A sampler setting that is impossible, alone or for the model at hand. {@link #setting} names it
 * as {@link SamplerSpec}'s component does ({@code snr}, {@code steps}, {@code correctorSteps},
 * {@code latent}, ...), or {@code labels} for class labels and {@code samples} for the number of
 * samples, so that a caller can point at the field of its own request that holds it.
 */
public final class InvalidSettingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String setting;

  public InvalidSettingException(String setting, String message) {
    super(message);
    this.setting = setting;
  }

  /** The setting at fault. */
  public String setting() {
    return setting;
  }
}
