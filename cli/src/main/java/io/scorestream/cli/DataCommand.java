package io.scorestream.cli;

import io.scorestream.jobs.cli.KafkaOptions;
import io.scorestream.trainer.data.DataPublisher;
import io.scorestream.trainer.data.DataSource;
import io.scorestream.trainer.data.DataSources;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code scorestream data}: datasets on Kafka topics, for trainers to learn from. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Datasets on Kafka topics.",
    subcommands = DataCommand.Publish.class)
final class DataCommand {

  /**
   * {@code scorestream data publish}: writes a source's examples to {@code scorestream.data.NAME}.
   */
  @Command(
      name = "publish",
      mixinStandardHelpOptions = true,
      description = "Write a dataset's examples to its topic, scorestream.data.NAME.")
  static final class Publish implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka;

    @Option(
        names = "--dataset",
        required = true,
        paramLabel = "NAME",
        description = "the dataset (names its topic)")
    String dataset;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
        names = "--seed",
        defaultValue = "0",
        paramLabel = "S",
        description = "with --builtin: the seed")
    long seed;

    @Option(
        names = "--split",
        paramLabel = "NAME",
        description =
            "with --mnist: train (the default) or test; with --labels: the rows whose split column"
                + " says NAME (default: every row)")
    String split;

    @Option(
        names = "--labels",
        paramLabel = "FILE.csv",
        description =
            "with --png-dir: a CSV file,label[,split] naming the images to publish and their"
                + " classes (0..K-1)")
    Path labels;

    @Option(
        names = "--rate",
        defaultValue = "0",
        paramLabel = "R",
        description = "at most R examples a second (default: as fast as Kafka takes them)")
    double rate;

    @Option(
        names = "--limit",
        defaultValue = "0",
        paramLabel = "N",
        description = "at most N examples (required for the endless built-in sets)")
    long limit;

    /** Exactly one source. */
    static final class Source {
      @Option(
          names = "--builtin",
          paramLabel = "NAME",
          description =
              "moons, swissroll, 8gaussians, checkerboard,"
                  + " rings (2-D points), or glyphs (28 x 28 drawn images, 8 labelled classes); drawn from --seed")
      String builtin;

      @Option(
          names = "--npy",
          paramLabel = "FILE",
          description = "a float array [N, ...example shape]")
      Path npy;

      @Option(names = "--mnist", paramLabel = "DIR", description = "MNIST's IDX files (.gz or not)")
      Path mnist;

      @Option(
          names = "--png-dir",
          paramLabel = "DIR",
          description = "PNG images; subdirectories, when there are any, are classes")
      Path pngDir;
    }

    @Override
    public Integer call() throws Exception {
      if (rate < 0 || limit < 0) {
        throw new ParameterException(spec.commandLine(), "--rate and --limit must not be negative");
      }
      if (labels != null && source.pngDir == null) {
        throw new ParameterException(spec.commandLine(), "--labels goes with --png-dir");
      }
      if (split != null && source.mnist == null && labels == null) {
        throw new ParameterException(spec.commandLine(), "--split goes with --mnist or --labels");
      }
      DataSource from;
      try {
        from = open();
      } catch (NoSuchFileException e) {
        throw new ParameterException(spec.commandLine(), "no such file: " + e.getFile());
      } catch (IllegalArgumentException | IOException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      PrintWriter err = spec.commandLine().getErr();
      DataPublisher.Result result;
      try {
        result =
            new DataPublisher(kafka.clients(), kafka.topics())
                .publish(
                    dataset,
                    from,
                    limit,
                    rate,
                    line -> {
                      err.println(line);
                      err.flush();
                    });
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      err.printf(
          "published %d examples of shape %s from %s to %s (%d in all)%n",
          result.written(),
          Arrays.toString(from.shape()),
          from.describe(),
          kafka.topics().data(dataset),
          result.total());
      err.flush();
      return 0;
    }

    private DataSource open() throws IOException {
      if (source.builtin != null) {
        return DataSources.builtin(source.builtin, seed);
      }
      if (source.npy != null) {
        return DataSources.npy(source.npy);
      }
      if (source.mnist != null) {
        return DataSources.mnist(source.mnist, split == null ? "train" : split);
      }
      return DataSources.pngDirectory(source.pngDir, labels, split);
    }
  }
}
