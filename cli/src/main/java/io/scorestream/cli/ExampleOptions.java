package io.scorestream.cli;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.jobs.formats.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The examples a command computes something of ({@code likelihood}, {@code encode}): a .npy of
 * {@code [N, ...shape]} in data space and, for a class-conditional model, their classes; each
 * checked against the model, naming what is wrong.
 */
final class ExampleOptions {
  @Option(
      names = "--data",
      required = true,
      paramLabel = "FILE.npy",
      description = "[N, ...shape] in data space (images in [0, 1])")
  Path data;

  @Option(
      names = "--label",
      paramLabel = "Y",
      description = "class of every example, for a class-conditional model")
  Long label;

  @Option(
      names = "--labels",
      paramLabel = "FILE.npy",
      description = "class of each example, [N] (integers)")
  Path labelsFile;

  /** The examples, refused unless they are {@code [N, ...the model's shape]}. */
  Npy.Array read(ModelInfo info, Function<String, ParameterException> bad) {
    Npy.Array array;
    try {
      array = Npy.read(data);
    } catch (IOException | IllegalArgumentException e) {
      throw bad.apply("--data " + data + ": " + SampleFiles.reason(e, data));
    }
    int[] shape = array.shape();
    if (shape.length != info.dataShape().length + 1
        || shape[0] < 1
        || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), info.dataShape())) {
      throw bad.apply(
          "--data "
              + data
              + " has shape "
              + Arrays.toString(shape)
              + "; "
              + info.name()
              + " takes [N, "
              + Arrays.toString(info.dataShape()).replaceAll("[\\[\\]]", "")
              + "]");
    }
    return array;
  }

  /**
   * The examples' classes from --label or --labels, checked against the model's classes; null for
   * none.
   */
  long[] labels(int n, int classes, Function<String, ParameterException> bad) {
    if (label != null && labelsFile != null) {
      throw bad.apply("give --label or --labels, not both");
    }
    if (classes == 0) {
      if (label != null || labelsFile != null) {
        throw bad.apply("the model is not class-conditional: drop --label/--labels");
      }
      return null;
    }
    long[] out = new long[n];
    if (label != null) {
      Arrays.fill(out, label);
    } else if (labelsFile != null) {
      float[] v;
      try {
        v = Npy.read(labelsFile).values();
      } catch (IOException | IllegalArgumentException e) {
        throw bad.apply("--labels " + labelsFile + ": " + SampleFiles.reason(e, labelsFile));
      }
      if (v.length != n) {
        throw bad.apply(
            "--labels " + labelsFile + " has " + v.length + " values for " + n + " examples");
      }
      for (int i = 0; i < n; i++) {
        if (v[i] != Math.rint(v[i])) {
          throw bad.apply(
              "--labels " + labelsFile + ": value " + i + " is " + v[i] + ", not a class");
        }
        out[i] = (long) v[i];
      }
    } else {
      throw bad.apply(
          "the model is class-conditional over "
              + classes
              + " classes: give --label Y or --labels FILE.npy");
    }
    for (int i = 0; i < n; i++) {
      if (out[i] < 0 || out[i] >= classes) {
        throw bad.apply(
            "class " + out[i] + " of example " + i + " is outside the model's 0.." + (classes - 1));
      }
    }
    return out;
  }
}
