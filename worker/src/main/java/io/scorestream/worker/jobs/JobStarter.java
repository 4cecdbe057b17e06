package io.scorestream.worker.jobs;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.sample.InvalidSettingException;
import io.scorestream.core.sample.PcSchedules;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.jobs.ClassifierGuidance;
import io.scorestream.jobs.DataTask;
import io.scorestream.jobs.JobCodec;
import io.scorestream.jobs.ModelSamplerDefaults;
import io.scorestream.jobs.RequestException;
import io.scorestream.worker.models.ModelRegistry;

/**
 * How a job that has room starts: the model version it runs on (the one it asks for or the newest,
 * guided by its classifier when it asks for guidance) and core's process for it (a sampler, an
 * inverse problem or a task of given data). A job whose model or classifier retired since it
 * arrived, or that a newer version no longer fits, gets a problem instead. Used by the scheduler
 * thread only.
 */
final class JobStarter {
  /** PC schedules shared by jobs with equal settings; up to 2 million steps (74 MB) are kept. */
  private final PcSchedules schedules = new PcSchedules(2_000_000);

  private final ModelRegistry models;
  private final JobChecks checks;

  /**
   * A started job.
   *
   * @param model the version its model calls go to (a guided version for a guided job)
   * @param process its process, batched with the other jobs of that version
   * @param task its task of given data (likelihood, encode), or null when it draws samples
   */
  record Start(ModelRegistry.Loaded model, SamplingProcess process, DataTask task) {}

  JobStarter(ModelRegistry models, JobChecks checks) {
    this.models = models;
    this.checks = checks;
  }

  /**
   * Starts a job of {@code samples} samples.
   *
   * @throws RequestException naming what stops it
   */
  Start start(Job job, int samples) {
    var request = job.request();
    ModelRegistry.Loaded model =
        models
            .resolve(request.getModelName(), JobChecks.modelVersion(job))
            .orElseThrow(
                () ->
                    checks
                        .unserved(request.getModelName(), JobChecks.modelVersion(job))
                        .exception());
    // sampler settings the request leaves unset that the model recommends (a VE model's ALD levels)
    JobCodec.Decoded decoded =
        JobCodec.decode(
            request.toBuilder()
                .setSampler(
                    ModelSamplerDefaults.fill(request.getSampler(), model.model().metadata()))
                .build());
    ClassifierGuidance g = decoded.guidance();
    if (g != null) {
      ModelRegistry.Loaded classifier =
          models
              .resolveClassifier(g.classifier(), g.version())
              .orElseThrow(() -> checks.unserved(g, request.getModelName()).exception());
      g.guided(
          model.model().info(), classifier.model().info()); // a newer version may no longer fit
      model = models.guided(model, classifier, g.scale());
    }
    ModelInfo info = model.model().info();
    long seed = request.getSeed();
    DataTask task = decoded.task();
    try {
      SamplingProcess process =
          task != null
              ? task.start(decoded.spec(), info, samples, seed, decoded.labels())
              : decoded.inverse() == null
                  ? Samplers.start(decoded.spec(), info, samples, seed, decoded.labels(), schedules)
                  : Samplers.impute(
                      decoded.spec(),
                      info,
                      decoded.inverse().measurement(info, samples),
                      decoded.inverse().particles(),
                      seed,
                      decoded.labels(),
                      schedules);
      return new Start(model, process, task);
    } catch (
        InvalidSettingException e) { // a newer version than the one checked at arrival may differ
      throw JobCodec.problem(e).exception();
    }
  }
}
