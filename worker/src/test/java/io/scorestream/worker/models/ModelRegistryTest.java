package io.scorestream.worker.models;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.testkit.logging.LogCapture;
import io.scorestream.worker.TestModels;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker serves the newest versions of each model and closes a retired one once no job uses it.
 */
class ModelRegistryTest {
  @RegisterExtension final LogCapture log = new LogCapture("io.scorestream");

  private final ModelRegistry models = new ModelRegistry(new OrtRuntime(1), 64, 2);

  @AfterEach
  void close() {
    models.close();
  }

  private static byte[] version(String name, String version) {
    return TestModels.standardNormal(name, version, 2);
  }

  private static void score(ScoreModel model) {
    model.score(new float[2], new float[] {0.5f}, null, 1, new float[2]);
  }

  @Test
  void aModelWhoseNameCouldNotNameItsTopicsIsRefused() {
    assertFalse(models.load(version("a model/with spaces", "1"), "x"));
    assertTrue(models.all().isEmpty());
    assertTrue(
        log.texts().stream().anyMatch(l -> l.contains("its name and version must match")),
        log.toString());
  }

  @Test
  void onlyTheNewestVersionsAreServed() {
    for (int v = 1; v <= 4; v++) {
      assertTrue(models.load(version("gmm", Integer.toString(v)), "gmm"));
    }
    assertTrue(models.load(version("other", "1"), "other"));
    assertEquals(List.of("3", "4"), models.versions("gmm"));
    assertTrue(models.resolve("gmm", "1").isEmpty(), "retired");
    assertEquals(
        "4",
        models.resolve("gmm", null).orElseThrow().version(),
        "the newest serves jobs that name none");
    assertEquals(List.of("1"), models.versions("other"), "each model keeps its own versions");
    assertTrue(log.texts().contains("retired gmm:1 (serving the newest 2 of gmm)"), log.toString());
  }

  @Test
  void retiredVersionStaysOpenWhileAJobUsesItThenCloses() {
    models.load(version("gmm", "1"), "gmm");
    ModelRegistry.Loaded first = models.resolve("gmm", "1").orElseThrow();
    models.load(version("gmm", "2"), "gmm");
    models.load(version("gmm", "3"), "gmm");
    assertEquals(1, models.retiredOpen());

    models.closeRetired(v -> v == first); // a running job started on version 1
    assertDoesNotThrow(
        () -> score(first.model()), "the job finishes on the version it started with");

    models.closeRetired(v -> false); // it has finished
    assertEquals(0, models.retiredOpen());
    assertThrows(IllegalStateException.class, () -> score(first.model()), "its session is closed");
  }

  @Test
  void reloadingAVersionReplacesItAndRetiresTheOldSession() {
    models.load(version("gmm", "1"), "gmm");
    ModelRegistry.Loaded before = models.resolve("gmm", "1").orElseThrow();
    models.load(version("gmm", "1"), "gmm");
    assertEquals(List.of("1"), models.versions("gmm"));
    models.closeRetired(v -> false);
    assertThrows(IllegalStateException.class, () -> score(before.model()));
    assertDoesNotThrow(() -> score(models.resolve("gmm", "1").orElseThrow().model()));
  }

  /**
   * The exact classifier of a two-component mixture's components in the plane, under the test
   * models' SDE.
   */
  private static byte[] classifier(String name, String version) {
    var gmm =
        new io.scorestream.core.analytic.GaussianMixture(
            new double[] {0.5, 0.5}, new double[][] {{-1, 0}, {1, 0}}, new double[] {0.5, 0.5});
    var base = TestModels.info(name, version, 2);
    return io.scorestream.core.onnx.GaussianMixtureOnnx.classifier(
        gmm,
        new io.scorestream.core.model.ModelInfo(
            name,
            version,
            base.sde(),
            base.eps(),
            base.dataShape(),
            base.scaling(),
            2,
            base.timeInput(),
            "",
            -1));
  }

  @Test
  void aClassifierIsServedBesideTheModelsButNeverAsOneAndNotUnderAModelsName() {
    assertTrue(models.load(version("gmm", "1"), "gmm"));
    assertTrue(models.load(classifier("modes", "1"), "modes"));
    assertTrue(models.resolve("modes", null).isEmpty(), "a job cannot sample from a classifier");
    assertTrue(models.resolveClassifier("modes", null).orElseThrow().classifier());
    assertEquals(List.of("1"), models.classifierVersions("modes"));
    assertFalse(models.load(classifier("gmm", "2"), "gmm"), "one name is a model or a classifier");
    assertTrue(
        log.texts().stream().anyMatch(l -> l.contains("a score model of the same name is served")),
        log.toString());
    assertFalse(models.load(version("modes", "2"), "modes"));
    assertEquals(2, models.all().size());
  }

  @Test
  void aGuidedVersionIsSharedByItsJobsAndItsPartsOutliveThemWhenRetired() {
    models.load(version("gmm", "1"), "gmm");
    models.load(classifier("modes", "1"), "modes");
    ModelRegistry.Loaded model = models.resolve("gmm", null).orElseThrow();
    ModelRegistry.Loaded classifier = models.resolveClassifier("modes", null).orElseThrow();
    ModelRegistry.Loaded guided = models.guided(model, classifier, 2);
    assertSame(
        guided,
        models.guided(model, classifier, 2),
        "jobs with the same guidance share one evaluator");
    assertNotSame(guided, models.guided(model, classifier, 3));
    assertEquals(
        2, guided.model().info().numClasses(), "guided: conditional over the classifier's classes");
    models.load(classifier("modes", "2"), "modes");
    models.load(classifier("modes", "3"), "modes"); // version 1 retired
    models.closeRetired(v -> v == guided); // a guided job still runs on it
    assertDoesNotThrow(
        () ->
            guided.model().score(new float[2], new float[] {0.5f}, new long[] {1}, 1, new float[2]),
        "the classifier a running guided job uses stays open");
    models.closeRetired(v -> false);
    assertEquals(0, models.retiredOpen());
    assertThrows(
        IllegalStateException.class,
        () ->
            classifier
                .model()
                .score(new float[2], new float[] {0.5f}, new long[] {1}, 1, new float[2]));
  }
}
