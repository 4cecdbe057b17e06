package io.scorestream.trainer.net;

import java.util.Arrays;

/**
 * What a user asks for on the command line, turned into an {@link Architecture} once the data's
 * shape and classes are known: {@code auto} takes the U-Net for images {@code [C, H, W]} whose
 * sides are multiples of 4 and the MLP for anything else.
 *
 * @param arch {@code auto}, {@code mlp} or {@code unet}
 * @param hidden MLP units per hidden layer
 * @param layers MLP hidden layers
 * @param base U-Net channels at full resolution
 * @param conditional condition on the data's labels
 */
public record NetworkChoice(String arch, int hidden, int layers, int base, boolean conditional) {
  /** The names {@link #arch} may take. */
  public static final String NAMES = "auto, mlp, unet";

  public NetworkChoice {
    if (!arch.equals("auto") && !arch.equals("mlp") && !arch.equals("unet")) {
      throw new IllegalArgumentException("unknown architecture '" + arch + "': choose " + NAMES);
    }
  }

  /** The MLP of 2-D toy data, unconditional, as a trainer picks by default for such data. */
  public static NetworkChoice mlp(int hidden, int layers) {
    return new NetworkChoice("mlp", hidden, layers, 32, false);
  }

  /**
   * The architecture for examples of {@code shape} from a dataset of {@code numClasses} classes (0:
   * unlabelled).
   *
   * @throws IllegalArgumentException naming why the choice does not fit the data
   */
  public Architecture forData(int[] shape, int numClasses) {
    if (conditional && numClasses <= 0) {
      throw new IllegalArgumentException(
          "a class-conditional network needs a labelled dataset, and this one has no" + " classes");
    }
    int classes = conditional ? numClasses : 0;
    boolean image =
        shape.length == 3
            && shape[1] % 4 == 0
            && shape[2] % 4 == 0
            && shape[1] >= 4
            && shape[2] >= 4;
    String kind = arch.equals("auto") ? (image ? "unet" : "mlp") : arch;
    if (kind.equals("unet")) {
      if (!image) {
        throw new IllegalArgumentException(
            "the U-Net takes images [C, H, W] with sides that are multiples of 4;"
                + " these examples have shape "
                + Arrays.toString(shape));
      }
      return ScoreUNet.Config.forImages(shape, base, classes);
    }
    int dim = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    return new ScoreMlp.Config(dim, hidden, layers, 16, 2, classes);
  }
}
