package io.scorestream.jobs.fuzz;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.analytic.Glyphs;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.sde.VpSde;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exact ONNX models {@link FuzzBases}' requests are written for: two modes in the plane and
 * their classifier, glyph images and colour swatches, all under a VP SDE. Small, so a fuzz case
 * runs in a few milliseconds.
 */
public final class FuzzModels {
  public static final FuzzBases BASES =
      new FuzzBases("fz-plane", "fz-modes", "fz-glyphs", "fz-swatches");

  private FuzzModels() {}

  /** The models by name. */
  public static Map<String, byte[]> all() {
    VpSde vp = new VpSde(0.1, 20, 1);
    GaussianMixture plane =
        new GaussianMixture(
            new double[] {0.3, 0.7}, new double[][] {{-2, 0}, {2, 1}}, new double[] {0.25, 0.5});
    double[][] swatches = new double[2][48];
    Arrays.fill(swatches[0], 0.5);
    Arrays.fill(swatches[1], -0.5);
    Map<String, byte[]> models = new LinkedHashMap<>();
    models.put(
        BASES.plane(),
        GaussianMixtureOnnx.build(
            plane, info(BASES.plane(), vp, new int[] {2}, 0, DataScaling.IDENTITY)));
    models.put(
        BASES.classifier(),
        GaussianMixtureOnnx.classifier(
            plane, info(BASES.classifier(), vp, new int[] {2}, 2, DataScaling.IDENTITY)));
    models.put(
        BASES.images(),
        GaussianMixtureOnnx.build(
            Glyphs.mixture(8, 0.1),
            info(BASES.images(), vp, new int[] {1, 8, 8}, 0, DataScaling.CENTERED)));
    models.put(
        BASES.colours(),
        GaussianMixtureOnnx.build(
            new GaussianMixture(new double[] {0.5, 0.5}, swatches, new double[] {0.1, 0.1}),
            info(BASES.colours(), vp, new int[] {3, 4, 4}, 0, DataScaling.CENTERED)));
    return models;
  }

  private static ModelInfo info(
      String name, VpSde sde, int[] shape, int classes, DataScaling scaling) {
    return new ModelInfo(name, "1", sde, 1e-3, shape, scaling, classes, TimeInput.TIME, "fuzz", -1);
  }
}
