package io.scorestream.trainer.data;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.zip.GZIPInputStream;

/**
 * MNIST in its IDX files ({@code train-images-idx3-ubyte[.gz]} and {@code
 * train-labels-idx1-ubyte[.gz]}, or the {@code t10k} pair for the test split): 8-bit grey digits as
 * {@code [1, H, W]} in [0, 1], labels 0 to 9. A file with the wrong magic number, a count that
 * disagrees with its pair, or fewer bytes than its header promises is refused, naming the file.
 */
final class MnistIdx implements DataSource {
  private static final int IMAGES_MAGIC = 2051;
  private static final int LABELS_MAGIC = 2049;
  private final String split;
  private final int count;
  private final int rows;
  private final int cols;
  private final byte[] pixels;
  private final byte[] labels;

  private MnistIdx(String split, int count, int rows, int cols, byte[] pixels, byte[] labels) {
    this.split = split;
    this.count = count;
    this.rows = rows;
    this.cols = cols;
    this.pixels = pixels;
    this.labels = labels;
  }

  /** Reads a split ({@code train} or {@code test}) from a directory of the standard files. */
  static MnistIdx read(Path dir, String split) throws IOException {
    String prefix =
        switch (split) {
          case "train" -> "train";
          case "test" -> "t10k";
          default ->
              throw new IllegalArgumentException(
                  "an MNIST split is train or test, got '" + split + "'");
        };
    Path images = find(dir, prefix + "-images-idx3-ubyte");
    Path labelFile = find(dir, prefix + "-labels-idx1-ubyte");
    try (DataInputStream in = new DataInputStream(open(images))) {
      check(in.readInt(), IMAGES_MAGIC, images);
      int n = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (n < 0 || rows <= 0 || cols <= 0 || rows > 4096 || cols > 4096) {
        throw new IOException(
            images
                + ": a header of "
                + n
                + " images of "
                + rows
                + " x "
                + cols
                + " is not MNIST's");
      }
      byte[] pixels = exactly(in, (long) n * rows * cols, images);
      try (DataInputStream lin = new DataInputStream(open(labelFile))) {
        check(lin.readInt(), LABELS_MAGIC, labelFile);
        int m = lin.readInt();
        if (m != n) {
          throw new IOException(
              labelFile + " has " + m + " labels for the " + n + " images of " + images);
        }
        byte[] labels = exactly(lin, n, labelFile);
        for (byte b : labels) {
          if (b < 0 || b > 9) {
            throw new IOException(labelFile + " has a label " + b + " outside 0 to 9");
          }
        }
        return new MnistIdx(split, n, rows, cols, pixels, labels);
      }
    }
  }

  private static Path find(Path dir, String name) throws IOException {
    for (Path p : new Path[] {dir.resolve(name + ".gz"), dir.resolve(name)}) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IOException("no " + name + "[.gz] in " + dir);
  }

  private static InputStream open(Path file) throws IOException {
    InputStream raw = Files.newInputStream(file);
    return file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
  }

  private static void check(int magic, int want, Path file) throws IOException {
    if (magic != want) {
      throw new IOException(file + " starts with magic " + magic + ", not the IDX " + want);
    }
  }

  private static byte[] exactly(InputStream in, long n, Path file) throws IOException {
    if (n > Integer.MAX_VALUE - 16) {
      throw new IOException(file + " promises " + n + " bytes, more than can be read");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(n, 1 << 24));
    byte[] buffer = new byte[1 << 16];
    long left = n;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw new IOException(file + " ends " + left + " bytes short of what its header promises");
      }
      out.write(buffer, 0, read);
      left -= read;
    }
    return out.toByteArray();
  }

  int count() {
    return count;
  }

  @Override
  public int[] shape() {
    return new int[] {1, rows, cols};
  }

  @Override
  public Range range() {
    return new Range(0, 1);
  }

  @Override
  public int numClasses() {
    return 10;
  }

  @Override
  public Iterator<Example> examples() {
    int size = rows * cols;
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return i < count;
      }

      @Override
      public Example next() {
        if (i >= count) {
          throw new NoSuchElementException();
        }
        float[] x = new float[size];
        for (int k = 0; k < size; k++) {
          x[k] = (pixels[i * size + k] & 0xff) / 255f;
        }
        return new Example(x, OptionalLong.of(labels[i++]));
      }
    };
  }

  @Override
  public String describe() {
    return "mnist " + split + " (" + count + " digits)";
  }
}
