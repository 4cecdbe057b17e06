package io.scorestream.trainer.data;

import io.scorestream.jobs.formats.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

/**
 * The rows of a {@code .npy} file of shape {@code [N, ...example shape]} (float32 or float64),
 * without labels.
 */
final class NpySource implements DataSource {
  private final Path file;
  private final Npy.Array array;
  private final int[] shape;

  NpySource(Path file) throws IOException {
    this.file = file;
    try {
      this.array = Npy.read(file);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    if (array.shape().length < 2 || array.shape()[0] == 0) {
      throw new IOException(
          file
              + " has shape "
              + Arrays.toString(array.shape())
              + "; a dataset is [N, ...example shape] with N > 0");
    }
    this.shape = Arrays.copyOfRange(array.shape(), 1, array.shape().length);
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public Range range() {
    return null;
  }

  @Override
  public int numClasses() {
    return 0;
  }

  @Override
  public Iterator<Example> examples() {
    int size = array.values().length / array.shape()[0];
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return i < array.shape()[0];
      }

      @Override
      public Example next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        float[] x = Arrays.copyOfRange(array.values(), i * size, (i + 1) * size);
        i++;
        return new Example(x, OptionalLong.empty());
      }
    };
  }

  @Override
  public String describe() {
    return file + " (" + array.shape()[0] + " examples)";
  }
}
