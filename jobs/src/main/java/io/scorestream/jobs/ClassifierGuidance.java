package io.scorestream.jobs;

import io.scorestream.core.model.GuidedScoreModel;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.Guidance;
import java.util.Optional;

/**
 * A request's classifier guidance, decoded: which classifier guides the samples to their classes
 * and how strongly (core's {@link GuidedScoreModel}). The classes are the request's labels (class
 * labels, or an inverse problem's).
 *
 * @param classifier the classifier's name
 * @param version its version, or null for the newest served
 * @param scale the guidance scale w in [0, {@link #MAX_SCALE}]
 */
public record ClassifierGuidance(String classifier, String version, double scale) {
  /**
   * The largest guidance scale taken: far past where samples stop changing class and start losing
   * detail.
   */
  public static final double MAX_SCALE = 100;

  /** The scale when none is given: Bayes' rule, p(x | y) exactly for an exact classifier. */
  public static final double DEFAULT_SCALE = 1;

  /**
   * A request's guidance, or null when it asks for none.
   *
   * @param labels the request's labels (null when it gives none)
   * @throws RequestException naming the field at fault
   */
  static ClassifierGuidance of(GenerateRequest request, long[] labels) {
    ClassifierGuidance g = asked(request).orElse(null);
    if (g == null) {
      return null;
    }
    RequestChecks.matches("guidance.classifier", g.classifier(), RequestChecks.MODEL_NAME);
    if (g.version() != null) {
      RequestChecks.matches("guidance.classifierVersion", g.version(), RequestChecks.MODEL_VERSION);
    }
    if (!(g.scale() >= 0 && g.scale() <= MAX_SCALE)) {
      throw Problem.invalid(
              "guidance.scale",
              "guidance.scale must lie in [0, " + (int) MAX_SCALE + "], got " + g.scale())
          .exception();
    }
    if (request.hasLikelihood() || request.hasEncode()) {
      throw Problem.invalid(
              "guidance",
              "guidance steers the drawing of samples; a "
                  + (request.hasLikelihood() ? "likelihood" : "encode")
                  + " job takes none")
          .exception();
    }
    if (labels == null) {
      throw Problem.invalid(
              "conditioning.classLabels.labels",
              "guidance needs the class to guide each sample to:"
                  + " give conditioning.classLabels.labels (or the inverse problem's labels), one or one per sample")
          .exception();
    }
    return g;
  }

  /**
   * The guidance a request asks for, as asked (the scale's default applied), without checking it:
   * for finding the classifier a request that passed {@link RequestChecks#check(GenerateRequest)}
   * names; empty when it asks for none.
   */
  public static Optional<ClassifierGuidance> asked(GenerateRequest request) {
    if (!request.hasGuidance()) {
      return Optional.empty();
    }
    Guidance g = request.getGuidance();
    return Optional.of(
        new ClassifierGuidance(
            g.getClassifier(),
            g.hasClassifierVersion() ? g.getClassifierVersion() : null,
            g.hasScale() ? g.getScale() : DEFAULT_SCALE));
  }

  /**
   * The description of the model as guided by this classifier, against which the rest of the
   * request is checked.
   *
   * @throws RequestException (guidance.classifier) when the classifier does not fit the model
   */
  public ModelInfo guided(ModelInfo model, ModelInfo classifierInfo) {
    try {
      return GuidedScoreModel.info(model, classifierInfo);
    } catch (IllegalArgumentException e) {
      throw Problem.invalid("guidance.classifier", "guidance.classifier: " + e.getMessage())
          .exception();
    }
  }

  /**
   * The problem of a classifier, or a version of it, that is not served, and {@code why} (a
   * clause).
   */
  public Problem unserved(String why) {
    return new Problem(
        FailureCode.UNKNOWN_MODEL,
        version == null ? "guidance.classifier" : "guidance.classifierVersion",
        "classifier '"
            + classifier
            + "'"
            + (version == null ? "" : " version " + version)
            + " is not served: "
            + why
            + " (GET /v1/models lists classifiers, kind "
            + "\"classifier\")");
  }
}
