package io.scorestream.trainer.data;

import io.scorestream.core.data.GlyphImages;
import io.scorestream.core.data.Toy2d;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

/**
 * The built-in datasets, drawn from a seed with no download: the 2-D toy distributions of {@link
 * Toy2d} (moons, swissroll, 8gaussians, checkerboard, rings; endless) and {@code glyphs},
 * procedurally drawn 28 x 28 images of eight labelled glyphs ({@link GlyphImages}; endless).
 */
final class Builtin implements DataSource {
  /** The side of built-in glyph images, MNIST's. */
  static final int GLYPH_SIDE = 28;

  private static final int CHUNK = 4096;
  private final String name;
  private final long seed;
  private final Toy2d toy;

  Builtin(String name, long seed) {
    this.name = name;
    this.seed = seed;
    this.toy = name.equals("glyphs") ? null : Toy2d.parse(name);
  }

  @Override
  public int[] shape() {
    return toy == null ? new int[] {1, GLYPH_SIDE, GLYPH_SIDE} : new int[] {2};
  }

  @Override
  public Range range() {
    return toy == null ? new Range(0, 1) : null;
  }

  @Override
  public int numClasses() {
    return toy == null ? io.scorestream.core.analytic.Glyphs.count() : 0;
  }

  @Override
  public Iterator<Example> examples() {
    return new Iterator<>() {
      private long index;
      private float[] chunk = new float[0];
      private int at;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Example next() {
        if (index == Long.MAX_VALUE) {
          throw new NoSuchElementException();
        }
        long i = index++;
        if (toy == null) {
          GlyphImages.Example e = GlyphImages.draw(GLYPH_SIDE, seed, i);
          return new Example(e.pixels(), OptionalLong.of(e.label()));
        }
        if (at == chunk.length) {
          chunk =
              toy.sample(
                  CHUNK, seed + 31 * (i / CHUNK)); // chunks drawn from derived seeds: repeatable
          at = 0;
        }
        Example e = new Example(new float[] {chunk[at], chunk[at + 1]}, OptionalLong.empty());
        at += 2;
        return e;
      }
    };
  }

  @Override
  public String describe() {
    return "builtin " + name + " (seed " + seed + ")";
  }
}
