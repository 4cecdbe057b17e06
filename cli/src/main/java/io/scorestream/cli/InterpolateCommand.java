package io.scorestream.cli;

import io.scorestream.core.sample.LatentInterpolation;
import io.scorestream.jobs.formats.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream interpolate}: a spherical path between two codes of an {@code encode} output,
 * as codes that {@code sample --sampler ode --no-denoise --latent} decodes into a walk from one
 * example to the other.
 */
@Command(
    name = "interpolate",
    mixinStandardHelpOptions = true,
    description =
        "Codes on the great circle between two codes (from encode); decode them with sample --sampler ode"
            + " --no-denoise --latent FILE.")
final class InterpolateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--codes",
      required = true,
      paramLabel = "FILE.npy",
      description = "codes, [N, ...shape]")
  Path codes;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "I",
      description = "index of the first code")
  int from;

  @Option(names = "--to", required = true, paramLabel = "J", description = "index of the last code")
  int to;

  @Option(
      names = "--count",
      defaultValue = "8",
      paramLabel = "K",
      description = "codes on the path, ends included")
  int count;

  @Option(names = "--out", required = true, paramLabel = "FILE.npy", description = "[K, ...shape]")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (count < 2 || count > 10_000) {
      throw bad("--count must be 2 to 10000, got " + count);
    }
    if (SampleFiles.problem("--out", out) != null || SampleFiles.isPng(out)) {
      throw bad(
          SampleFiles.isPng(out)
              ? "--out must name a .npy file, got " + out
              : SampleFiles.problem("--out", out));
    }
    Npy.Array array;
    try {
      array = Npy.read(codes);
    } catch (IOException | IllegalArgumentException e) {
      throw bad("--codes " + codes + ": " + e.getMessage());
    }
    int[] shape = array.shape();
    if (shape.length < 2) {
      throw bad(
          "--codes "
              + codes
              + " has shape "
              + Arrays.toString(shape)
              + "; codes are [N, ...shape]");
    }
    int n = shape[0];
    if (from < 0 || from >= n || to < 0 || to >= n) {
      throw bad(
          "--from and --to index the "
              + n
              + " codes of "
              + codes
              + " (0.."
              + (n - 1)
              + "), got "
              + from
              + " and "
              + to);
    }
    int dim = array.values().length / n;
    double[] path;
    try {
      path =
          LatentInterpolation.slerp(
              row(array.values(), from, dim), row(array.values(), to, dim), count);
    } catch (IllegalArgumentException e) {
      throw bad("--codes " + codes + ": " + e.getMessage());
    }
    float[] f = new float[path.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) path[i];
    }
    Npy.write(out, f, count, Arrays.copyOfRange(shape, 1, shape.length));
    spec.commandLine()
        .getErr()
        .println("wrote " + count + " codes from code " + from + " to code " + to + " to " + out);
    return 0;
  }

  private static double[] row(float[] values, int index, int dim) {
    double[] r = new double[dim];
    for (int i = 0; i < dim; i++) {
      r[i] = values[index * dim + i];
    }
    return r;
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
