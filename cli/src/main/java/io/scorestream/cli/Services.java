package io.scorestream.cli;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.sde.SdeKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** What dev and the benchmarks share: topic set-up, the models dev serves. */
public final class Services {
  private Services() {}

  /**
   * Copies the trained models that ship in the repository's {@code models/} (found through the
   * {@code scorestream.home} property that {@code bin/scorestream} sets) beside the analytic ones.
   */
  public static void copyShippedModels(Path into, PrintWriter err) throws IOException {
    String home = System.getProperty("scorestream.home");
    Path shipped = home == null ? null : Path.of(home, "models");
    if (shipped == null || !Files.isDirectory(shipped)) {
      return;
    }
    try (var files = Files.list(shipped)) {
      for (Path model : files.filter(p -> p.toString().endsWith(".onnx")).sorted().toList()) {
        Files.copy(model, into.resolve(model.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        err.println("shipped model " + model.getFileName() + " from " + shipped);
      }
    }
  }

  /** Side of the analytic glyph images that dev serves. */
  private static final int GLYPH_SIDE = 16;

  /**
   * Model files written for {@code dev} when no models directory is given: the analytic mixture per
   * SDE, and an analytic image model (16 x 16 glyphs) whose samples form as images.
   */
  public static Path writeAnalyticModels(Path dir) throws IOException {
    Files.createDirectories(dir);
    GaussianMixture gmm = ModelCommand.Gmm.parse(ModelCommand.Gmm.DEFAULT_COMPONENTS);
    for (SdeKind kind : SdeKind.values()) {
      ModelInfo info =
          ModelCommand.flatModel(
              "gmm-" + kind.key(), "1", kind.create(0.01, 50, 0.1, 20), "gmm", gmm.dimension());
      Files.write(dir.resolve(info.name() + ".onnx"), GaussianMixtureOnnx.build(gmm, info));
    }
    io.scorestream.core.sde.Sde vp = SdeKind.VP.create(0.01, 50, 0.1, 20);
    ModelInfo glyphs =
        new ModelInfo(
            "glyphs-vp",
            "1",
            vp,
            vp.defaultEps(),
            new int[] {1, GLYPH_SIDE, GLYPH_SIDE},
            io.scorestream.core.model.DataScaling.CENTERED,
            0,
            io.scorestream.core.model.TimeInput.TIME,
            "glyphs",
            -1);
    GaussianMixture shapes = io.scorestream.core.analytic.Glyphs.mixture(GLYPH_SIDE, 0.1);
    Files.write(dir.resolve(glyphs.name() + ".onnx"), GaussianMixtureOnnx.build(shapes, glyphs));
    // the exact classifiers of their components, which guide gmm-vp to a mode and glyphs-vp to a
    // glyph
    writeClassifier(
        dir,
        "gmm-vp-modes",
        gmm,
        ModelCommand.flatModel("gmm-vp", "1", vp, "gmm", gmm.dimension()));
    writeClassifier(dir, "glyphs-vp-shapes", shapes, glyphs);
    return dir;
  }

  private static void writeClassifier(Path dir, String name, GaussianMixture gmm, ModelInfo model)
      throws IOException {
    ModelInfo info =
        new ModelInfo(
            name,
            "1",
            model.sde(),
            model.eps(),
            model.dataShape(),
            model.scaling(),
            gmm.components(),
            model.timeInput(),
            model.dataset(),
            -1);
    Files.write(dir.resolve(name + ".onnx"), GaussianMixtureOnnx.classifier(gmm, info));
  }
}
