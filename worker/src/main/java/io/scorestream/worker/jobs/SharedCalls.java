package io.scorestream.worker.jobs;

import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.worker.models.ModelRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scheduler round's model calls: the running jobs of each model version share that version's
 * evaluator, so one batch (split at the maximum batch size) serves every pending query whatever
 * step or sampler each job is at. Counts what the calls did for heartbeats and metrics. Used by the
 * scheduler thread only.
 */
final class SharedCalls {
  private final Map<ModelRegistry.Loaded, List<SamplingProcess>> groups = new LinkedHashMap<>();
  private final Map<ModelRegistry.Loaded, RuntimeException> failed = new LinkedHashMap<>();
  private final JobMetrics metrics;

  SharedCalls(JobMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Runs this round's calls for {@code jobs} and returns {@code before} with their rows, calls and
   * time added. A model version whose call throws is noted in {@link #failures} and the other
   * versions go on.
   */
  Scheduler.Totals run(Collection<RunningJob> jobs, Scheduler.Totals before) {
    failed.clear();
    groups.values().forEach(List::clear);
    for (RunningJob r : jobs) {
      groups.computeIfAbsent(r.model, m -> new ArrayList<>()).add(r.process);
    }
    groups.values().removeIf(List::isEmpty);
    long rows = 0;
    long calls = 0;
    long capacity = 0;
    long nanos = 0;
    for (Map.Entry<ModelRegistry.Loaded, List<SamplingProcess>> group : groups.entrySet()) {
      var evaluator = group.getKey().evaluator();
      long callsBefore = evaluator.modelCalls();
      long nanosBefore = evaluator.modelNanos();
      long groupRows = 0;
      for (SamplingProcess p : group.getValue()) {
        groupRows += p.finished() ? 0 : p.samples();
      }
      try {
        evaluator.step(group.getValue());
      } catch (RuntimeException e) {
        failed.put(group.getKey(), e);
      }
      long groupCalls = evaluator.modelCalls() - callsBefore;
      long groupNanos = evaluator.modelNanos() - nanosBefore;
      long groupCapacity = groupCalls * (long) evaluator.maxBatch();
      metrics.modelCalls(group.getKey().name(), groupCalls, groupRows, groupCapacity, groupNanos);
      rows += groupRows;
      calls += groupCalls;
      capacity += groupCapacity;
      nanos += groupNanos;
    }
    return new Scheduler.Totals(
        before.samplesCompleted(),
        before.rowsEvaluated() + rows,
        before.modelCalls() + calls,
        before.rowCapacity() + capacity,
        before.modelNanos() + nanos);
  }

  /** The model versions whose call failed in the last round, with what they threw. */
  Map<ModelRegistry.Loaded, RuntimeException> failures() {
    return failed;
  }
}
