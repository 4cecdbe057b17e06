package io.scorestream.trainer.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The PNG images of a directory, in name order: grey images as {@code [1, H, W]}, colour ones as
 * {@code [3, H, W]} (alpha dropped), values in [0, 1]. With a labels file ({@link LabelsFile}), the
 * examples are the images it names (those of one split, when asked), with its labels. Without one,
 * when the directory holds subdirectories, each is a class (labels are their indices in name order)
 * and their PNGs are the examples. Every image must have the first one's size and channels; one
 * that has not is refused, naming it.
 */
final class PngDirectory implements DataSource {
  private final Path dir;
  private final List<Path> files = new ArrayList<>();
  private final List<Integer> labels = new ArrayList<>();
  private final int classes;
  private final int[] shape;
  private final String labelled;

  /** The images named by {@code labelsFile} (in {@code split}, unless null), labelled by it. */
  PngDirectory(Path dir, Path labelsFile, String split) throws IOException {
    this.dir = dir;
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is not a directory");
    }
    LabelsFile table = LabelsFile.read(labelsFile);
    List<LabelsFile.Row> rows = new ArrayList<>(table.rows(split));
    rows.sort(Comparator.comparing(LabelsFile.Row::file));
    for (LabelsFile.Row row : rows) {
      Path file = dir.resolve(row.file());
      if (!Files.isRegularFile(file)) {
        throw new IOException(
            labelsFile.getFileName() + " names " + row.file() + ", not in " + dir);
      }
      add(file, row.label());
    }
    this.classes = table.classes();
    this.shape = shapeOf(read(files.get(0)));
    this.labelled = ", labelled by " + labelsFile + (split == null ? "" : ", split " + split);
  }

  PngDirectory(Path dir) throws IOException {
    this.dir = dir;
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is not a directory");
    }
    List<Path> classDirs;
    try (Stream<Path> s = Files.list(dir)) {
      classDirs = s.filter(Files::isDirectory).sorted().toList();
    }
    if (classDirs.isEmpty()) {
      pngs(dir).forEach(p -> add(p, -1));
    } else {
      for (int c = 0; c < classDirs.size(); c++) {
        int label = c;
        pngs(classDirs.get(c)).forEach(p -> add(p, label));
      }
    }
    this.classes = classDirs.size();
    if (files.isEmpty()) {
      throw new IOException(
          "no .png files in " + dir + (classes > 0 ? " or its class directories" : ""));
    }
    this.shape = shapeOf(read(files.get(0)));
    this.labelled = "";
  }

  private void add(Path file, int label) {
    files.add(file);
    labels.add(label);
  }

  private static List<Path> pngs(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
          .sorted()
          .toList();
    }
  }

  private static BufferedImage read(Path file) {
    try {
      BufferedImage image = ImageIO.read(file.toFile());
      if (image == null) {
        throw new IllegalArgumentException(file + " is not a PNG image");
      }
      return image;
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static int[] shapeOf(BufferedImage image) {
    boolean grey = image.getColorModel().getNumColorComponents() == 1;
    return new int[] {grey ? 1 : 3, image.getHeight(), image.getWidth()};
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public Range range() {
    return new Range(0, 1);
  }

  @Override
  public int numClasses() {
    return classes;
  }

  @Override
  public Iterator<Example> examples() {
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return i < files.size();
      }

      @Override
      public Example next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Path file = files.get(i);
        int label = labels.get(i++);
        BufferedImage image = read(file);
        int[] s = shapeOf(image);
        if (!Arrays.equals(s, shape)) {
          throw new IllegalArgumentException(
              file
                  + " is "
                  + Arrays.toString(s)
                  + "; this dataset's images are "
                  + Arrays.toString(shape)
                  + " (the first image's)");
        }
        int channels = shape[0];
        int h = shape[1];
        int w = shape[2];
        float[] x = new float[channels * h * w];
        // grey values as stored (getRGB would pass them through a colour conversion); colour
        // through sRGB
        float greyMax = (1 << image.getColorModel().getComponentSize(0)) - 1;
        for (int y = 0; y < h; y++) {
          for (int xx = 0; xx < w; xx++) {
            if (channels == 1) {
              x[y * w + xx] = image.getRaster().getSample(xx, y, 0) / greyMax;
            } else {
              int rgb = image.getRGB(xx, y);
              x[y * w + xx] = ((rgb >> 16) & 0xff) / 255f;
              x[h * w + y * w + xx] = ((rgb >> 8) & 0xff) / 255f;
              x[2 * h * w + y * w + xx] = (rgb & 0xff) / 255f;
            }
          }
        }
        return new Example(x, label < 0 ? OptionalLong.empty() : OptionalLong.of(label));
      }
    };
  }

  @Override
  public String describe() {
    return "png-dir "
        + dir
        + " ("
        + files.size()
        + " images"
        + (classes > 0 ? ", " + classes + " classes" : "")
        + labelled
        + ")";
  }
}
