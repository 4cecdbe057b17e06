package io.scorestream.cli;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.jobs.formats.Npy;
import io.scorestream.jobs.formats.PngGrid;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Writes samples to the file a user named: NumPy .npy for any model, a PNG grid for image models.
 */
final class SampleFiles {
  private SampleFiles() {}

  /**
   * Null when {@code out} names a .npy or .png file that can be written now (checked before any
   * work, so that a wrong path costs no sampling), else what is wrong with it, naming {@code
   * option}.
   */
  static String problem(String option, Path out) {
    String file =
        out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!file.endsWith(".npy") && !file.endsWith(".png")) {
      return option + " must name a .npy or .png file, got " + out;
    }
    Path absolute = out.toAbsolutePath();
    Path dir = absolute.getParent();
    if (Files.isDirectory(absolute)) {
      return option + " " + out + " is a directory";
    }
    if (dir == null || !Files.isDirectory(dir)) {
      return option + " " + out + ": the directory " + dir + " does not exist";
    }
    if (Files.exists(absolute) ? !Files.isWritable(absolute) : !Files.isWritable(dir)) {
      return option
          + " "
          + out
          + ": permission denied ("
          + (Files.exists(absolute) ? "the file" : "the directory " + dir)
          + " is not writable)";
    }
    return null;
  }

  /**
   * Why reading {@code file} failed, in words: "no such file", "permission denied", "it is a
   * directory", or else.
   */
  static String reason(Exception e, Path file) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (Files.isDirectory(file)) {
      return "it is a directory";
    }
    return e.getMessage();
  }

  static boolean isPng(Path out) {
    return out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png");
  }

  /** Null when samples of this shape can go to {@code out}, else why not. */
  static String shapeProblem(Path out, int[] dataShape) {
    return isPng(out) && !ModelInfo.isImageShape(dataShape)
        ? "PNG needs an image model ([1,H,W] or [3,H,W]), these samples have shape "
            + Arrays.toString(dataShape)
            + "; use .npy"
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
