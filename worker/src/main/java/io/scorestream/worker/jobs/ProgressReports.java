package io.scorestream.worker.jobs;

import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.core.sample.StepProgress;
import io.scorestream.jobs.Tensors;
import io.scorestream.proto.v1.Completed;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.PreviewKind;
import io.scorestream.proto.v1.PreviewSettings;
import io.scorestream.proto.v1.Progress;

/**
 * What a running job reports and when: progress with a preview every k steps or at most r a second,
 * as its request asks (the current x or the denoised estimate) and as its {@link PreviewBudget}
 * allows, bare progress four times a second otherwise (less often when many jobs share the worker's
 * budget), and its result.
 */
final class ProgressReports {
  private static final long DEFAULT_PROGRESS_NANOS = 250_000_000L;

  /**
   * The most bare progress events (and their state records) a worker sends a second across all its
   * jobs: 8,192 single-sample jobs at four a second each would be 65,000 records a second for
   * progress nobody asked for.
   */
  static final int MAX_BARE_PROGRESS_PER_SECOND = 1000;

  private ProgressReports() {}

  /** True when the job's previews are the denoised estimate, which its sampler must then keep. */
  static boolean wantsDenoised(RunningJob r) {
    return r.job.request().getPreview().getKind() == PreviewKind.DENOISED;
  }

  /**
   * The gap between a job's bare progress events when {@code runningJobs} run: a quarter second,
   * longer once the worker's budget of {@link #MAX_BARE_PROGRESS_PER_SECOND} is shared by more than
   * 250 jobs.
   */
  static long bareProgressGapNanos(int runningJobs) {
    return Math.max(
        DEFAULT_PROGRESS_NANOS, runningJobs * (1_000_000_000L / MAX_BARE_PROGRESS_PER_SECOND));
  }

  /**
   * The progress the job owes at {@code now} (nanoTime) while {@code runningJobs} run, or null when
   * none is due; notes what it sends.
   */
  static Progress.Builder due(RunningJob r, long now, int runningJobs) {
    SamplingProcess p = r.process;
    PreviewSettings preview = r.job.request().getPreview();
    // a task of given data (likelihood, encode) forms no samples: its progress carries no preview
    boolean wantsPreview =
        r.job.request().getTaskCase() == GenerateRequest.TaskCase.TASK_NOT_SET
            && (preview.getEverySteps() > 0 || preview.getMaxPerSecond() > 0);
    long previewBytes = (long) r.samples() * r.model.model().info().dimension() * Float.BYTES;
    boolean canPreview = wantsPreview && r.previews.affords(now, previewBytes);
    StepProgress s = p.progress();
    if (canPreview) {
      // step-based previews every k steps, rate-limited ones at most r a second, both within the
      // job's budget
      long minGap = preview.getMaxPerSecond() > 0 ? (long) (1e9 / preview.getMaxPerSecond()) : 0;
      if (now - r.lastProgressNanos < minGap
          || preview.getEverySteps() > 0
              && s.step() - r.lastPreviewStep < preview.getEverySteps()) {
        return null;
      }
    } else if (now - r.lastProgressNanos < bareProgressGapNanos(runningJobs)) {
      // bare progress within the worker's budget, also for a job whose preview budget is spent
      return null;
    }
    long elapsed = (now - r.startedAtNanos) / 1_000_000;
    Progress.Builder progress =
        Progress.newBuilder()
            .setStep(s.step())
            .setTotalSteps(s.totalSteps())
            .setT(s.t())
            .setNfe(s.nfe())
            .setElapsedMs(elapsed)
            .setEtaMs(s.fraction() > 0 ? (long) (elapsed * (1 - s.fraction()) / s.fraction()) : -1);
    if (canPreview) {
      boolean denoised = wantsDenoised(r);
      progress
          .setPreview(
              Tensors.of(
                  denoised ? p.denoisedPreview() : p.preview(),
                  r.samples(),
                  r.model.model().info().dataShape()))
          .setPreviewKind(denoised ? PreviewKind.DENOISED : PreviewKind.CURRENT);
      r.previews.spend(previewBytes);
      r.lastPreviewStep = s.step();
    }
    r.lastProgressNanos = now;
    return progress;
  }

  /** The result of a job whose sampler finished without failure, at {@code now} (nanoTime). */
  static Completed completed(RunningJob r, long now) {
    SamplingProcess p = r.process;
    Completed.Builder c =
        r.task != null
            ? r.task.completed(p, r.model.model().info(), r.samples())
            : Completed.newBuilder()
                .setSamples(Tensors.of(p.result(), r.samples(), r.model.model().info().dataShape()))
                .setNfe(p.nfe());
    return c.setQueuedMs((r.startedAtNanos - r.queuedAtNanos) / 1_000_000)
        .setRunMs((now - r.startedAtNanos) / 1_000_000)
        .build();
  }
}
