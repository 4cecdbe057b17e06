package io.scorestream.trainer.net;

import java.util.HashMap;
import java.util.Map;

/**
 * A score network's shape: what the training state records, so a trainer can rebuild the network it
 * saved and refuse a state of another shape. {@link #describe()} is a line {@code KIND key=value
 * ...} that {@link #parse} reads back.
 */
public sealed interface Architecture permits ScoreMlp.Config, ScoreUNet.Config {
  /** Values per example, D. */
  int dim();

  /**
   * Classes the network is conditioned on (labels {@code 0..K-1}); 0 for an unconditional network.
   */
  int numClasses();

  /** The shape as one line, for the state file and for messages. */
  String describe();

  /** Reads a line written by {@link #describe()}. */
  static Architecture parse(String line) {
    String[] words = line.trim().split("\\s+");
    Map<String, String> v = new HashMap<>();
    for (int i = 1; i < words.length; i++) {
      int eq = words[i].indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("not an architecture: " + line);
      }
      v.put(words[i].substring(0, eq), words[i].substring(eq + 1));
    }
    try {
      return switch (words[0]) {
        case "mlp" ->
            new ScoreMlp.Config(
                Integer.parseInt(v.get("dim")),
                Integer.parseInt(v.get("hidden")),
                Integer.parseInt(v.get("layers")),
                Integer.parseInt(v.get("fourier")),
                Double.parseDouble(v.get("scale")),
                Integer.parseInt(v.getOrDefault("classes", "0")));
        case "unet" ->
            new ScoreUNet.Config(
                Integer.parseInt(v.get("channels")),
                Integer.parseInt(v.get("height")),
                Integer.parseInt(v.get("width")),
                Integer.parseInt(v.get("base")),
                Integer.parseInt(v.get("classes")),
                Double.parseDouble(v.get("scale")));
        default ->
            throw new IllegalArgumentException("unknown architecture " + words[0] + " in: " + line);
      };
    } catch (NullPointerException | NumberFormatException e) {
      throw new IllegalArgumentException("not an architecture: " + line, e);
    }
  }
}
