package io.scorestream.core.model;

import io.scorestream.core.sde.LinearBeta;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.VeSde;
import java.util.Arrays;
import java.util.Locale;

/**
 * Classifier guidance (Song et al. 2021, section 5, equation 14; Dhariwal and Nichol 2021): the
 * score of {@code p_t(x | y)} from an unconditional score and a noise-conditional classifier,
 * {@code grad log p_t(x | y) = s(x, t) + w grad_x log p_t(y | x)}, with guidance scale w (1 is
 * Bayes' rule; larger w sharpens the classes at the cost of diversity). Every sampler runs it
 * unchanged: it is a class-conditional {@link ScoreModel} whose labels are the classes to guide to.
 *
 * <p>Shapes as {@link ScoreModel}: {@code x [n * D]}, {@code t [n]} in the models' common time
 * input, labels {@code [n]}. The score model may itself be class-conditional over the same classes
 * (guidance on top of conditioning). This wrapper owns neither model: its caller closes them.
 */
public final class GuidedScoreModel implements ScoreModel {
  private final ScoreModel score;
  private final ScoreModel classifier;
  private final double scale;
  private final ModelInfo info;
  private float[] guidance = new float[0];

  /**
   * @param score the score model
   * @param classifier the classifier's field {@code grad_x log p_t(y | x)}, trained under the same
   *     SDE
   * @param scale guidance scale w, finite and non-negative
   * @throws IllegalArgumentException naming what does not match
   */
  public GuidedScoreModel(ScoreModel score, ScoreModel classifier, double scale) {
    if (!(scale >= 0) || !Double.isFinite(scale)) {
      throw new IllegalArgumentException(
          "the guidance scale must be finite and zero or more, got " + scale);
    }
    this.info = info(score.info(), classifier.info());
    this.score = score;
    this.classifier = classifier;
    this.scale = scale;
  }

  /**
   * The description of a score model guided by a classifier: the score model's, class-conditional
   * over the classifier's classes.
   *
   * @throws IllegalArgumentException naming what does not match: data shape or scaling, SDE or time
   *     input, or the classes of a class-conditional score model
   */
  public static ModelInfo info(ModelInfo s, ModelInfo c) {
    if (!Arrays.equals(s.dataShape(), c.dataShape()) || s.scaling() != c.scaling()) {
      throw new IllegalArgumentException(
          "classifier "
              + c.name()
              + " takes "
              + Arrays.toString(c.dataShape())
              + " ("
              + c.scaling().key()
              + "); model "
              + s.name()
              + " makes "
              + Arrays.toString(s.dataShape())
              + " ("
              + s.scaling().key()
              + ")");
    }
    if (!s.sde().equals(c.sde()) || s.timeInput() != c.timeInput()) {
      throw new IllegalArgumentException(
          "classifier "
              + c.name()
              + " was trained under "
              + noise(c)
              + "; model "
              + s.name()
              + " uses "
              + noise(s)
              + ": the noise levels must be the same");
    }
    if (s.numClasses() > 0 && s.numClasses() != c.numClasses()) {
      throw new IllegalArgumentException(
          "model "
              + s.name()
              + " is conditioned on "
              + s.numClasses()
              + " classes and classifier "
              + c.name()
              + " knows "
              + c.numClasses()
              + "; they must agree");
    }
    return new ModelInfo(
        s.name(),
        s.version(),
        s.sde(),
        s.eps(),
        s.dataShape(),
        s.scaling(),
        c.numClasses(),
        s.timeInput(),
        s.dataset(),
        s.trainStep());
  }

  /**
   * A model's noise as a person reads it: SDE, range, horizon and time input, e.g. "vp (beta 0.1 to
   * 20, T 1)".
   */
  private static String noise(ModelInfo m) {
    Sde sde = m.sde();
    String range =
        sde instanceof VeSde ve
            ? "sigma "
                + ModelMetadata.plain(ve.sigmaMin())
                + " to "
                + ModelMetadata.plain(ve.sigmaMax())
                + ", "
            : sde instanceof LinearBeta b
                ? "beta "
                    + ModelMetadata.plain(b.betaMin())
                    + " to "
                    + ModelMetadata.plain(b.betaMax())
                    + ", "
                : "";
    return sde.kind().key()
        + " ("
        + range
        + "T "
        + ModelMetadata.plain(sde.horizon())
        + ", time input "
        + m.timeInput().name().toLowerCase(Locale.ROOT)
        + ")";
  }

  /** The score model's description, class-conditional over the classifier's classes. */
  @Override
  public ModelInfo info() {
    return info;
  }

  public double scale() {
    return scale;
  }

  @Override
  public void score(float[] x, float[] t, long[] labels, int n, float[] out) {
    if (labels == null) {
      throw new IllegalArgumentException("guided sampling needs the class to guide each row to");
    }
    int size = n * info.dimension();
    score.score(x, t, score.info().numClasses() > 0 ? labels : null, n, out);
    if (scale == 0) {
      return;
    }
    if (guidance.length < size) {
      guidance = new float[size];
    }
    classifier.score(x, t, labels, n, guidance);
    for (int i = 0; i < size; i++) {
      out[i] += (float) (scale * guidance[i]);
    }
  }

  /** Closes nothing: the score model and the classifier belong to the caller. */
  @Override
  public void close() {
    // the parts are the caller's to close
  }
}
