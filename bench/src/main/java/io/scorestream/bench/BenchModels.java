package io.scorestream.bench;

import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.MlpOnnx;
import io.scorestream.core.sde.VeSde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model the benchmarks serve: a 2-D score MLP of three hidden layers under the VE SDE (sigma
 * from 0.01 to 10), with random weights, since speed does not depend on what it learned.
 */
final class BenchModels {
  private BenchModels() {}

  /** Its metadata, under {@code name}. */
  static ModelInfo mlpInfo(String name) {
    return new ModelInfo(
        name,
        "1",
        new VeSde(0.01, 10, 1),
        1e-5,
        new int[] {2},
        DataScaling.IDENTITY,
        0,
        TimeInput.TIME,
        "",
        -1);
  }

  /** The ONNX graph, {@code hidden} units per layer. */
  static byte[] mlp(ModelInfo info, int hidden) {
    return MlpOnnx.build(MlpOnnx.randomLayers(2, new int[] {hidden, hidden, hidden}, 1), info);
  }

  /**
   * Writes {@code onnx} as {@code mlp} into {@code dir}/models, for a worker; returns that folder.
   */
  static Path write(Path dir, byte[] onnx) throws IOException {
    Path models = Files.createDirectories(dir.resolve("models"));
    Files.write(models.resolve("mlp.onnx"), onnx);
    return models;
  }
}
