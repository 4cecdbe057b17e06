package io.scorestream.core.model;

/**
 * A model of {@code pack} independent draws of another model side by side: samples of {@code pack *
 * d} values whose every run of d values is one draw of the inner model. The density of independent
 * draws is the product of theirs, so its score is the inner model's on every draw, at the sample's
 * time; with an exact inner score (an analytic mixture) it is exact too. It lets a sampler meant
 * for samples of many values (the adaptive SDE solver) be measured against a low-dimensional
 * distribution known exactly. Unconditional; closing it leaves the inner model open.
 */
public final class PackedScoreModel implements ScoreModel {
  private final ScoreModel points;
  private final int pack;
  private final ModelInfo info;
  private float[] times = new float[0];

  /**
   * @param points the inner model, unconditional
   * @param pack draws per sample, positive
   */
  public PackedScoreModel(ScoreModel points, int pack) {
    if (pack < 1 || points.info().numClasses() > 0) {
      throw new IllegalArgumentException(
          "packs a positive number of draws of an unconditional model, got "
              + pack
              + " of a model with "
              + points.info().numClasses()
              + " classes");
    }
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
