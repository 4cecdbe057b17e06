package io.scorestream.cli;

import io.scorestream.core.model.ModelInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** Writes samples to the file a user named: NumPy .npy for any model, a PNG grid for image models. */
final class SampleFiles {
  private SampleFiles() {}

  /** Null when {@code out} names a .npy or .png file, else what is wrong with it. */
  static String problem(Path out) {
    String file = out.getFileName().toString().toLowerCase(Locale.ROOT);
    return file.endsWith(".npy") || file.endsWith(".png") ? null
        : "--out must name a .npy or .png file, got " + out;
  }

  static boolean isPng(Path out) {
    return out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png");
  }

  /** Null when samples of this shape can go to {@code out}, else why not. */
  static String shapeProblem(Path out, int[] dataShape) {
    return isPng(out) && !ModelInfo.isImageShape(dataShape)
        ? "PNG needs an image model ([1,H,W] or [3,H,W]), these samples have shape "
            + java.util.Arrays.toString(dataShape) + "; use .npy"
        : null;
  }

  static void write(Path out, float[] values, int rows, int[] dataShape) throws IOException {
    if (shapeProblem(out, dataShape) != null) {
      throw new IllegalArgumentException("--out " + out + ": " + shapeProblem(out, dataShape));
    }
    if (isPng(out)) {
      PngGrid.write(out, values, rows, dataShape);
    } else {
      Npy.write(out, values, rows, dataShape);
    }
  }
}
