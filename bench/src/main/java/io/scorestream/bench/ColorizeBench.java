package io.scorestream.bench;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.LinearMeasurement;
import io.scorestream.core.sample.PcSchedules;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.jobs.formats.PngGrid;
import io.scorestream.trainer.data.DataSource;
import io.scorestream.trainer.data.DataSources;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Colorization with a colour model, measured on held-out images: the first {@code --per-class}
 * images of each class of a labels file's split are turned grey (each pixel the mean of its
 * channels), coloured by the model through the PC sampler's imputation (README, "Inverse
 * problems"), and compared with their originals: how far each pixel's grey level moved (it should
 * not), the colour error against the originals, and the same for the grey picture itself as a
 * colouring (the floor any colouring should beat). Writes a figure: grey in, colour out, original.
 */
@Command(
    name = "colorize",
    mixinStandardHelpOptions = true,
    description =
        "Colour grey versions of held-out images with a colour model: grey levels kept, colour"
            + " error against the originals, and a figure (grey, coloured, original).")
final class ColorizeBench implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL.onnx")
  Path model;

  @Option(names = "--png-dir", required = true, paramLabel = "DIR")
  Path pngDir;

  @Option(names = "--labels", required = true, paramLabel = "FILE.csv")
  Path labels;

  @Option(names = "--split", defaultValue = "test", paramLabel = "NAME")
  String split;

  @Option(names = "--per-class", defaultValue = "1", paramLabel = "N")
  int perClass;

  @Option(names = "--steps", defaultValue = "500", description = "PC sampler steps")
  int steps;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Option(names = "--figure", paramLabel = "FILE.png", description = "grey, coloured, original")
  Path figure;

  @Option(
      names = "--examples",
      paramLabel = "DIR",
      description =
          "also write the chosen images for the dashboard: N-grey.png, N.png and examples.json"
              + " (class names from classes.txt beside --labels)")
  Path examples;

  @Override
  public Integer call() throws Exception {
    if (perClass < 1 || steps < 1) {
      throw new ParameterException(spec.commandLine(), "--per-class and --steps must be positive");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (ScoreModel m = new OrtRuntime(0).load(Files.readAllBytes(model), "model")) {
      ModelInfo info = m.info();
      int[] shape = info.dataShape();
      if (shape.length != 3 || shape[0] != 3) {
        throw new ParameterException(
            spec.commandLine(), info.name() + " is not a colour model: " + Arrays.toString(shape));
      }
      Picked picked = pick(DataSources.pngDirectory(pngDir, labels, split), info);
      int n = picked.labels.length;
      int plane = shape[1] * shape[2];
      float[] grey = new float[n * plane];
      for (int i = 0; i < n; i++) {
        for (int p = 0; p < plane; p++) {
          int at = i * 3 * plane + p;
          grey[i * plane + p] =
              (picked.images[at] + picked.images[at + plane] + picked.images[at + 2 * plane]) / 3;
        }
      }
      long start = System.nanoTime();
      SamplingProcess process =
          Samplers.impute(
              SamplerSpec.builder().steps(steps).build(),
              info,
              LinearMeasurement.colorization(n, info.dimension(), grey, info.scaling()),
              1,
              seed,
              info.numClasses() > 0 ? picked.labels : null,
              PcSchedules.none());
      new BatchEvaluator(m, 4096).runToCompletion(List.of(process), () -> {});
      double seconds = (System.nanoTime() - start) / 1e9;
      float[] coloured = process.result();
      float[] asGrey = new float[coloured.length];
      double moved = 0;
      for (int i = 0; i < n; i++) {
        for (int p = 0; p < plane; p++) {
          int at = i * 3 * plane + p;
          double mean = (coloured[at] + coloured[at + plane] + coloured[at + 2 * plane]) / 3;
          moved = Math.max(moved, Math.abs(mean - grey[i * plane + p]));
          for (int c = 0; c < 3; c++) {
            asGrey[at + c * plane] = grey[i * plane + p];
          }
        }
      }
      double error = rms(coloured, picked.images);
      double floor = rms(asGrey, picked.images);
      out.printf(
          Locale.ROOT,
          "%s: %d %s images of split %s, %d PC steps, %.1f s%n"
              + "grey level moved by at most %.2e (data units, [0, 1] the range; float32 rounding aside, 0)%n"
              + "colour RMS error against the originals %.4f; the grey picture itself %.4f"
              + " (ratio %.3f; below 1 means the colours are closer than no colour)%n",
          info.name(),
          n,
          pngDir,
          split,
          steps,
          seconds,
          moved,
          error,
          floor,
          error / floor);
      if (figure != null) {
        float[] rows = new float[3 * coloured.length];
        System.arraycopy(asGrey, 0, rows, 0, coloured.length);
        System.arraycopy(coloured, 0, rows, coloured.length, coloured.length);
        System.arraycopy(picked.images, 0, rows, 2 * coloured.length, coloured.length);
        Files.write(figure, PngGrid.encode(rows, 3 * n, shape, n));
        out.println("wrote " + figure + ": grey in (top), coloured (middle), original (bottom)");
      }
      if (examples != null) {
        writeExamples(picked, grey, shape);
        out.println("wrote " + n + " examples to " + examples);
      }
      out.flush();
      return 0;
    }
  }

  /**
   * The dashboard's examples: each grey picture, its original and an index naming their classes.
   */
  private void writeExamples(Picked picked, float[] grey, int[] shape) throws Exception {
    Files.createDirectories(examples);
    Path names = labels.toAbsolutePath().resolveSibling("classes.txt");
    List<String> classes = Files.exists(names) ? Files.readAllLines(names) : List.of();
    int h = shape[1];
    int w = shape[2];
    int plane = h * w;
    StringBuilder index = new StringBuilder();
    index.append("{\"shape\": ").append(Arrays.toString(shape)).append(", \"classes\": [");
    int classCount = (int) Arrays.stream(picked.labels).max().orElse(0) + 1;
    for (int c = 0; c < Math.max(classCount, classes.size()); c++) {
      String name = c < classes.size() ? classes.get(c).strip() : "class " + c;
      index.append(c > 0 ? ", " : "").append('"').append(name.replace("\"", "'")).append('"');
    }
    index.append("],\n \"examples\": [");
    for (int i = 0; i < picked.labels.length; i++) {
      BufferedImage g = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      BufferedImage colour = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      for (int p = 0; p < plane; p++) {
        g.getRaster().setSample(p % w, p / w, 0, PngGrid.level(grey[i * plane + p]));
        int at = i * 3 * plane + p;
        colour.setRGB(
            p % w,
            p / w,
            PngGrid.level(picked.images[at]) << 16
                | PngGrid.level(picked.images[at + plane]) << 8
                | PngGrid.level(picked.images[at + 2 * plane]));
      }
      ImageIO.write(g, "png", examples.resolve(i + "-grey.png").toFile());
      ImageIO.write(colour, "png", examples.resolve(i + ".png").toFile());
      index
          .append(i > 0 ? ",\n  " : "\n  ")
          .append(
              String.format(
                  Locale.ROOT,
                  "{\"grey\": \"%d-grey.png\", \"original\": \"%d.png\", \"label\": %d,"
                      + " \"name\": \"held-out %s %d\"}",
                  i,
                  i,
                  picked.labels[i],
                  split,
                  i + 1));
    }
    index.append("\n]}\n");
    Files.writeString(examples.resolve("examples.json"), index.toString());
  }

  /** The images chosen and their classes. */
  private record Picked(float[] images, long[] labels) {}

  /** The first {@code perClass} images of each class, class by class. */
  private Picked pick(DataSource source, ModelInfo info) {
    int classes = Math.max(1, source.numClasses());
    List<List<float[]>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    for (Iterator<DataSource.Example> it = source.examples(); it.hasNext(); ) {
      DataSource.Example e = it.next();
      int c = (int) e.label().orElse(0);
      if (byClass.get(c).size() < perClass) {
        byClass.get(c).add(e.x());
      }
    }
    List<float[]> images = new ArrayList<>();
    List<Long> labels = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      for (float[] x : byClass.get(c)) {
        images.add(x);
        labels.add((long) c);
      }
    }
    int d = info.dimension();
    float[] all = new float[images.size() * d];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i), 0, all, i * d, d);
    }
    return new Picked(all, labels.stream().mapToLong(Long::longValue).toArray());
  }

  private static double rms(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return Math.sqrt(s / a.length);
  }
}
