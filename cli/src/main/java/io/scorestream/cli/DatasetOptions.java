package io.scorestream.cli;

import io.scorestream.trainer.data.DataSource;
import io.scorestream.trainer.data.DataSources;
import io.scorestream.trainer.data.Loaded;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The dataset of {@code train} and {@code evaluate}: exactly one source, read into memory, with the
 * examples held out to measure a model against — MNIST's own test split for {@code --mnist}, else
 * the last 2,000 examples when there are more than 4,000.
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
  }

  /** The source, drawing built-in data from {@code seed}. */
  DataSource open(long seed) throws IOException {
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
    return all.count() > 2 * HELD_OUT ? all.split(HELD_OUT) : new Loaded[] {all, null};
  }

  /** The dataset's name for a model's metadata. */
  String describe() {
    return source.npy != null
        ? source.npy.getFileName().toString()
        : source.mnist != null ? "mnist" : source.builtin;
  }
}
