package io.scorestream.cli;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.sample.InvalidSettingException;
import io.scorestream.core.sample.LinearMeasurement;
import io.scorestream.jobs.formats.Npy;
import io.scorestream.jobs.formats.PngImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The inverse problem a {@code sample} run solves, if any: inpainting ({@code --known} values where
 * {@code --mask} is 1) or colorization ({@code --gray}), read from files and checked against the
 * model, naming the option that is wrong.
 */
final class MeasurementOptions {
  @Option(
      names = "--known",
      paramLabel = "FILE.npy",
      description =
          "inpainting: values kept where --mask is 1; one sample's shape (shared) or [N, ...shape]")
  Path known;

  @Option(
      names = "--mask",
      paramLabel = "FILE.npy",
      description =
          "inpainting: 1 where --known holds, 0 where the model fills in; one sample's shape or [N, ...]")
  Path mask;

  @Option(
      names = "--gray",
      paramLabel = "FILE.npy|FILE.png",
      description =
          "colorization: grey levels in [0, 1], [H, W], [1, H, W] or [N, 1, H, W], or a PNG")
  Path gray;

  @Option(
      names = "--particles",
      defaultValue = "1",
      paramLabel = "K",
      description =
          "inverse problems: particles per sample, reweighted by the observation (1: plain imputation)")
  int particles;

  /** The arrays read from the files so far, by path: each file is read once. */
  private final Map<Path, Npy.Array> arrays = new HashMap<>();

  /** True when an inverse problem is asked for. */
  boolean given() {
    return known != null || mask != null || gray != null;
  }

  /**
   * The sample count the files fix ([N, ...] arrays), or -1 when they are one sample's shape or
   * absent.
   */
  int samplesFromFiles(ModelInfo info, Function<String, ParameterException> bad) {
    checkCombination(bad);
    int n = -1;
    for (Path p : new Path[] {known, mask, gray}) {
      if (p != null && !isPng(p)) {
        int[] shape = header(p, bad);
        int rows = rowsOf(p, shape, info, bad);
        if (rows > 0 && n > 0 && rows != n) {
          throw bad.apply(
              option(p) + " " + p + " holds " + rows + " samples; another file holds " + n);
        }
        n = Math.max(n, rows);
      }
    }
    return n;
  }

  /** The measurement for {@code samples} samples of the model. */
  LinearMeasurement build(ModelInfo info, int samples, Function<String, ParameterException> bad) {
    checkCombination(bad);
    try {
      if (gray != null) {
        float[] levels = isPng(gray) ? png(info, bad) : read(gray, bad).values();
        return LinearMeasurement.colorization(samples, info.dimension(), levels, info.scaling());
      }
      return LinearMeasurement.mask(
          samples,
          info.dimension(),
          read(mask, bad).values(),
          read(known, bad).values(),
          info.scaling());
    } catch (InvalidSettingException e) {
      String field = e.setting();
      String option =
          field.equals("mask")
              ? "--mask"
              : field.equals("known") ? "--known" : gray != null ? "--gray" : "--" + field;
      throw bad.apply(option + ": " + e.getMessage());
    }
  }

  private void checkCombination(Function<String, ParameterException> bad) {
    if (gray != null && (known != null || mask != null)) {
      throw bad.apply("give --gray (colorization) or --known with --mask (inpainting), not both");
    }
    if (gray == null && (known == null) != (mask == null)) {
      throw bad.apply("inpainting needs both --known (the values) and --mask (1 where they hold)");
    }
    if (particles < 1 || particles > io.scorestream.core.sample.Samplers.MAX_PARTICLES) {
      throw bad.apply(
          "--particles must be 1 to "
              + io.scorestream.core.sample.Samplers.MAX_PARTICLES
              + ", got "
              + particles);
    }
  }

  /**
   * How many samples an array holds: 0 for one sample's shape, N for [N, ...]; refuses any other
   * shape.
   */
  private int rowsOf(
      Path p, int[] shape, ModelInfo info, Function<String, ParameterException> bad) {
    int[] one = p == gray ? greyShape(info, bad) : info.dataShape();
    if (Arrays.equals(shape, one)
        || (p == gray && Arrays.equals(shape, Arrays.copyOfRange(one, 1, 3)))) {
      return 0;
    }
    if (shape.length == one.length + 1
        && shape[0] >= 1
        && Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), one)) {
      return shape[0];
    }
    throw bad.apply(
        option(p)
            + " "
            + p
            + " has shape "
            + Arrays.toString(shape)
            + "; "
            + info.name()
            + " needs "
            + Arrays.toString(one)
            + " (shared by every sample) or [N, "
            + Arrays.toString(one).replaceAll("[\\[\\]]", "")
            + "]");
  }

  /** A colour model's grey picture: [1, H, W] of its [3, H, W]. */
  private static int[] greyShape(ModelInfo info, Function<String, ParameterException> bad) {
    int[] s = info.dataShape();
    if (s.length != 3 || s[0] != 3) {
      throw bad.apply(
          "--gray colours grey pictures with a colour image model ([3, H, W]); "
              + info.name()
              + " makes "
              + Arrays.toString(s));
    }
    return new int[] {1, s[1], s[2]};
  }

  private float[] png(ModelInfo info, Function<String, ParameterException> bad) {
    int[] one = greyShape(info, bad);
    PngImage image;
    try {
      image = PngImage.decode(Files.readAllBytes(gray));
    } catch (IOException | IllegalArgumentException e) {
      throw bad.apply("--gray " + gray + ": " + SampleFiles.reason(e, gray));
    }
    if (image.height() != one[1] || image.width() != one[2]) {
      throw bad.apply(
          "--gray "
              + gray
              + " is "
              + image.width()
              + " x "
              + image.height()
              + " pixels; "
              + info.name()
              + " makes "
              + one[2]
              + " x "
              + one[1]);
    }
    return image.grey();
  }

  private int[] header(Path p, Function<String, ParameterException> bad) {
    return read(p, bad).shape();
  }

  /** The array in file p, read once: the sample count and the measurement both need it. */
  private Npy.Array read(Path p, Function<String, ParameterException> bad) {
    Npy.Array held = arrays.get(p);
    if (held != null) {
      return held;
    }
    try {
      Npy.Array array = Npy.read(p);
      arrays.put(p, array);
      return array;
    } catch (IOException | IllegalArgumentException e) {
      throw bad.apply(option(p) + " " + p + ": " + SampleFiles.reason(e, p));
    }
  }

  private String option(Path p) {
    return p == known ? "--known" : p == mask ? "--mask" : "--gray";
  }

  private static boolean isPng(Path p) {
    return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png");
  }
}
