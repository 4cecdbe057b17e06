package io.scorestream.cli;

import io.scorestream.trainer.data.DataSource;
import io.scorestream.trainer.data.DataSources;
import io.scorestream.trainer.data.Loaded;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The dataset of {@code train} and {@code evaluate}: exactly one source, read into memory, with the
 * examples held out to measure a model against — MNIST's own test split for {@code --mnist}, a
 * labels file's {@code test} split when it has {@code train} and {@code test} ones, else the last
 * 2,000 examples when there are more than 4,000.
 */
final class DatasetOptions {
  /** Held-out examples, when they come from the data itself. */
  static final int HELD_OUT = 2000;

  @ArgGroup(exclusive = true, multiplicity = "1", heading = "The dataset, one of:%n")
  Source source;

  @Option(
      names = "--count",
      defaultValue = "20000",
      paramLabel = "N",
      description = "examples drawn from --builtin (default: ${DEFAULT-VALUE})")
  int count;

  @Option(
      names = "--labels",
      paramLabel = "FILE.csv",
      description =
          "with --png-dir: a CSV file,label[,split] naming the images and their classes; with"
              + " train and test splits, trains on train and holds test out")
  Path labels;

  /** Exactly one dataset. */
  static final class Source {
    @Option(
        names = "--data",
        paramLabel = "FILE.npy",
        description = "a float array [N, ...example shape]")
    Path npy;

    @Option(
        names = "--builtin",
        paramLabel = "NAME",
        description =
            "moons, swissroll, 8gaussians, checkerboard,"
                + " rings, glyphs (drawn from --seed, --count of them)")
    String builtin;

    @Option(
        names = "--mnist",
        paramLabel = "DIR",
        description = "MNIST's IDX files (the train split; its test split" + " is held out)")
    Path mnist;

    @Option(
        names = "--png-dir",
        paramLabel = "DIR",
        description = "PNG images: those --labels names, or subdirectories as classes")
    Path pngDir;
  }

  /** The source, drawing built-in data from {@code seed}. */
  DataSource open(long seed) throws IOException {
    if (labels != null && source.pngDir == null) {
      throw new IllegalArgumentException("--labels goes with --png-dir");
    }
    if (source.pngDir != null) {
      return DataSources.pngDirectory(source.pngDir, labels, splitLabels() ? "train" : null);
    }
    if (source.npy != null) {
      return DataSources.npy(source.npy);
    }
    if (source.mnist != null) {
      return DataSources.mnist(source.mnist, "train");
    }
    return DataSources.builtin(source.builtin, seed);
  }

  /** The dataset read in: all of a file, {@code --count} built-in examples. */
  Loaded read(DataSource data) {
    return Loaded.read(data, source.builtin != null ? count : 0);
  }

  /** The training examples and the held-out ones (null when there are too few to spare). */
  Loaded[] split(Loaded all) throws IOException {
    if (source.mnist != null) {
      return new Loaded[] {all, Loaded.read(DataSources.mnist(source.mnist, "test"), 0)};
    }
    if (splitLabels()) {
      return new Loaded[] {
        all, Loaded.read(DataSources.pngDirectory(source.pngDir, labels, "test"), 0)
      };
    }
    return all.count() > 2 * HELD_OUT ? all.split(HELD_OUT) : new Loaded[] {all, null};
  }

  /**
   * Whether the labels file divides the images into train and test; read once, when first asked.
   */
  private Boolean split;

  /** True when a labels file divides the images into train and test. */
  private boolean splitLabels() throws IOException {
    if (split == null) {
      split = labels != null && DataSources.splitsOf(labels).containsAll(List.of("train", "test"));
    }
    return split;
  }

  /** The dataset's name for a model's metadata: the labelled directory's, the file's, ... */
  String describe() {
    if (source.pngDir != null) {
      Path named = labels != null ? labels.toAbsolutePath().getParent() : source.pngDir;
      return named.normalize().getFileName().toString();
    }
    return source.npy != null
        ? source.npy.getFileName().toString()
        : source.mnist != null ? "mnist" : source.builtin;
  }
}
