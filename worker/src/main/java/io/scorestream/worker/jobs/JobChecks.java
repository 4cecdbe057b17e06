package io.scorestream.worker.jobs;

import io.scorestream.worker.models.ModelRegistry;
import java.util.List;

/** What a worker refuses before a job waits for room: requests it cannot serve, with a reason a person can act on. */
final class JobChecks {
  private final ModelRegistry models;
  private final Scheduler.Limits limits;

  JobChecks(ModelRegistry models, Scheduler.Limits limits) {
    this.models = models;
    this.limits = limits;
  }

  /** The version a job asks for, or null for the newest. */
  static String modelVersion(Job job) {
    return job.request().hasModelVersion() ? job.request().getModelVersion() : null;
  }

  /** Null when this worker can serve the job, else why not. */
  String problem(Job job) {
    int n = job.request().getNumSamples();
    if (job.id().isEmpty()) {
      return "the request has no job id";
    }
    if (n <= 0) {
      return "num_samples must be positive, got " + n;
    }
    if (n > limits.maxSamplesPerJob()) {
      return "num_samples " + n + " is beyond this worker's cap of " + limits.maxSamplesPerJob();
    }
    String name = job.request().getModelName();
    var model = models.resolve(name, modelVersion(job));
    if (model.isEmpty()) {
      List<String> served = models.versions(name);
      if (served.isEmpty()) {
        return "unknown model '" + name + "'";
      }
      return "model '" + name + "' version " + modelVersion(job) + " is not served; "
          + (served.size() == 1 ? "only version " + served.get(0) + " is"
              : "versions " + String.join(", ", served) + " are");
    }
    long bytes = (long) n * model.get().model().info().dimension() * Float.BYTES;
    if (bytes > limits.maxResultBytes()) {
      return "the result of " + n + " samples would be " + bytes / (1 << 20) + " MiB, over the "
          + limits.maxResultBytes() / (1 << 20) + " MiB an event can carry; ask for fewer samples per job";
    }
    // the job's state carries its request and its result in one record
    long request = job.request().getSerializedSize();
    if (bytes + request > limits.maxResultBytes()) {
      return "the request (" + request / (1 << 20) + " MiB) and the result of " + n + " samples ("
          + bytes / (1 << 20) + " MiB) would be over the " + limits.maxResultBytes() / (1 << 20)
          + " MiB a job's state can carry; ask for fewer samples per job";
    }
    return null;
  }
}
