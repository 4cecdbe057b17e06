package io.scorestream.core.sample;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;

/**
 * Samples of {@code pack} independent points of a 2-D model, side by side: the score of a product
 * of independent densities is the scores of its factors, so this model's score is the 2-D model's
 * on every point, at the sample's time. Its samples unpack into {@code pack} exact draws each.
 */
final class PackedModel implements ScoreModel {
  private final ScoreModel points;
  private final int pack;
  private final ModelInfo info;
  private float[] times = new float[0];

  PackedModel(ScoreModel points, int pack) {
    this.points = points;
    this.pack = pack;
    ModelInfo p = points.info();
    this.info =
        new ModelInfo(
            p.name() + "-x" + pack,
            p.version(),
            p.sde(),
            p.eps(),
            new int[] {p.dimension() * pack},
            p.scaling(),
            0,
            p.timeInput(),
            p.dataset(),
            -1);
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public void score(float[] x, float[] t, long[] labels, int n, float[] out) {
    if (times.length < n * pack) {
      times = new float[n * pack];
    }
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < pack; k++) {
        times[r * pack + k] = t[r];
      }
    }
    // n rows of pack * dim values are n * pack rows of dim values in the same order
    points.score(x, times, null, n * pack, out);
  }

  @Override
  public void close() {}
}
