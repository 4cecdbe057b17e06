package io.scorestream.trainer.app;

import io.scorestream.trainer.net.NetworkChoice;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The network options that {@code train} and {@code trainer} share. */
public final class NetworkOptions {
  @Option(
      names = "--arch",
      defaultValue = "auto",
      paramLabel = "auto|mlp|unet",
      description = "the network: auto takes the U-Net for images [C, H, W] and the MLP otherwise")
  String arch;

  @Option(
      names = "--hidden",
      defaultValue = "128",
      paramLabel = "UNITS",
      description = "MLP units per layer")
  int hidden;

  @Option(names = "--layers", defaultValue = "3", description = "MLP hidden layers")
  int layers;

  @Option(
      names = "--channels",
      defaultValue = "32",
      paramLabel = "C",
      description = "U-Net channels at full resolution (a multiple of 4)")
  int channels;

  @Option(
      names = "--conditional",
      description = "condition on the dataset's labels (jobs then give labels)")
  boolean conditional;

  /** The choice, or a usage error naming the option that is wrong. */
  public NetworkChoice choice(CommandSpec spec) {
    if (hidden < 1 || layers < 1) {
      throw new ParameterException(spec.commandLine(), "--hidden and --layers must be positive");
    }
    if (channels < 4 || channels % 4 != 0) {
      throw new ParameterException(
          spec.commandLine(), "--channels must be a positive multiple of 4, not " + channels);
    }
    try {
      return new NetworkChoice(arch, hidden, layers, channels, conditional);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--arch: " + e.getMessage());
    }
  }
}
