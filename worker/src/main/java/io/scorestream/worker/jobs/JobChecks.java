package io.scorestream.worker.jobs;

import io.scorestream.jobs.ClassifierGuidance;
import io.scorestream.jobs.FailureCode;
import io.scorestream.jobs.Problem;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.worker.models.ModelRegistry;
import java.util.List;
import java.util.Optional;

/**
 * What a worker refuses when a job arrives, before it waits for room: the shared request checks
 * (alone, then against the model version that would serve it) and models this worker does not
 * serve, with a reason a person can act on.
 */
final class JobChecks {
  private final ModelRegistry models;
  private final RequestChecks requests;

  JobChecks(ModelRegistry models, RequestChecks requests) {
    this.models = models;
    this.requests = requests;
  }

  /** The version a job asks for, or null for the newest. */
  static String modelVersion(Job job) {
    return job.request().hasModelVersion() ? job.request().getModelVersion() : null;
  }

  /** The problem that stops this worker from serving the job, if any. */
  Optional<Problem> problem(Job job) {
    Optional<Problem> alone = requests.check(job.request());
    if (alone.isPresent()) {
      return alone;
    }
    String name = job.request().getModelName();
    var model = models.resolve(name, modelVersion(job));
    if (model.isEmpty()) {
      return Optional.of(unserved(name, modelVersion(job)));
    }
    Optional<ClassifierGuidance> guidance = ClassifierGuidance.asked(job.request());
    if (guidance.isEmpty()) {
      return requests.check(job.request(), model.get().model().info());
    }
    var classifier =
        models.resolveClassifier(guidance.get().classifier(), guidance.get().version());
    if (classifier.isEmpty()) {
      return Optional.of(unserved(guidance.get(), name));
    }
    return requests.check(
        job.request(), model.get().model().info(), classifier.get().model().info());
  }

  /** The problem of a job whose classifier, or whose version of it, this worker does not serve. */
  Problem unserved(ClassifierGuidance guidance, String model) {
    List<String> served = models.classifierVersions(guidance.classifier());
    return guidance.unserved(
        served.isEmpty()
            ? "no live worker serves it together with model " + model
            : "this worker serves "
                + (served.size() == 1 ? "version " : "versions ")
                + String.join(", ", served));
  }

  /** The problem of a job whose model, or whose version of it, this worker does not serve. */
  Problem unserved(String name, String version) {
    List<String> served = models.versions(name);
    if (served.isEmpty()) {
      return new Problem(
          FailureCode.UNKNOWN_MODEL,
          "modelName",
          models.classifierVersions(name).isEmpty()
              ? "unknown model '" + name + "': no worker in the fleet serves it"
              : "'"
                  + name
                  + "' is a classifier, not a score model: it guides one (guidance.classifier)");
    }
    return new Problem(
        FailureCode.UNKNOWN_MODEL,
        "modelVersion",
        "model '"
            + name
            + "' version "
            + version
            + " is not served; "
            + (served.size() == 1
                ? "only version " + served.get(0) + " is"
                : "versions " + String.join(", ", served) + " are"));
  }
}
