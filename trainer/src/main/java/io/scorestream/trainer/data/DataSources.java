package io.scorestream.trainer.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Opens the sources {@code data publish} and {@code train} read from. */
public final class DataSources {
  private DataSources() {}

  /** The names of the built-in datasets. */
  public static final String BUILTINS = "moons, swissroll, 8gaussians, checkerboard, rings, glyphs";

  /** A built-in dataset drawn from {@code seed}; the known names in the message otherwise. */
  public static DataSource builtin(String name, long seed) {
    try {
      return new Builtin(name, seed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "no built-in dataset '" + name + "'; known: " + BUILTINS, e);
    }
  }

  /** The rows of a .npy file {@code [N, ...shape]}. */
  public static DataSource npy(Path file) throws IOException {
    return new NpySource(file);
  }

  /** A split ({@code train} or {@code test}) of MNIST from a directory of its IDX files. */
  public static DataSource mnist(Path dir, String split) throws IOException {
    return MnistIdx.read(dir, split);
  }

  /** The PNG images of a directory, labelled by subdirectory when it has them. */
  public static DataSource pngDirectory(Path dir) throws IOException {
    return new PngDirectory(dir);
  }

  /**
   * The PNG images of a directory that a CSV labels file names ({@code file,label[,split]}), those
   * of {@code split} alone unless it is null.
   */
  public static DataSource pngDirectory(Path dir, Path labels, String split) throws IOException {
    return labels == null ? new PngDirectory(dir) : new PngDirectory(dir, labels, split);
  }

  /** The split names a labels file uses (empty when it has no split column). */
  public static List<String> splitsOf(Path labels) throws IOException {
    return LabelsFile.read(labels).splits();
  }
}
