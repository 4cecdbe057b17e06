package io.scorestream.worker;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.sde.VeSde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The small real model the worker's tests serve: a standard normal in D dimensions under a VE SDE,
 * as ONNX.
 */
public final class TestModels {
  private TestModels() {}

  /**
   * What the model says of itself: VE SDE (sigma 0.01 to 10, T = 1), eps 1e-5, flat {@code [dim]}
   * data.
   */
  public static ModelInfo info(String name, String version, int dim) {
    return new ModelInfo(
        name,
        version,
        new VeSde(0.01, 10, 1),
        1e-5,
        new int[] {dim},
        DataScaling.IDENTITY,
        0,
        TimeInput.TIME,
        "",
        -1);
  }

  /**
   * The ONNX bytes of the standard normal's exact score, {@code N(0, I)} in {@code dim} dimensions.
   */
  public static byte[] standardNormal(String name, String version, int dim) {
    GaussianMixture gmm =
        new GaussianMixture(new double[] {1}, new double[][] {new double[dim]}, new double[] {1});
    return GaussianMixtureOnnx.build(gmm, info(name, version, dim));
  }

  /** {@code dir/models} holding one model file. */
  public static Path dir(Path dir, String fileName, byte[] onnx) throws IOException {
    Path models = Files.createDirectories(dir.resolve("models"));
    Files.write(models.resolve(fileName), onnx);
    return models;
  }
}
