package io.scorestream.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.scorestream.jobs.FailureCode;
import io.scorestream.proto.v1.JobStatus;
import io.scorestream.worker.jobs.JobMetrics;
import io.scorestream.worker.jobs.Scheduler;
import io.scorestream.worker.models.ModelRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A worker's Micrometer meters, all named {@code scorestream.worker.*} and tagged with the worker
 * id: jobs by final status, their queue and run times, samples, model calls with their duration and
 * batch occupancy per model, and gauges of active and queued jobs and of the models served.
 */
public final class WorkerMetrics implements JobMetrics {
  private final MeterRegistry registry;
  private final Map<String, ModelMeters> perModel = new ConcurrentHashMap<>();
  private final Timer queued;
  private final Timer run;
  private final Counter samples;

  private record ModelMeters(Timer calls, Counter rows, DistributionSummary occupancy) {}

  public WorkerMetrics(MeterRegistry registry, ModelRegistry models) {
    this.registry = registry;
    for (FailureCode code : FailureCode.values()) {
      failed(
          code.wire(),
          0); // every code of the set is a series from the start, so rates over it exist
    }
    Gauge.builder("scorestream.worker.models", models, m -> m.all().size())
        .description("model versions loaded")
        .register(registry);
    Gauge.builder("scorestream.worker.models.retired", models, ModelRegistry::retiredOpen)
        .description("retired model versions still open for the jobs that started on them")
        .register(registry);
    queued =
        Timer.builder("scorestream.worker.job.queued")
            .description("time from a job's arrival to its start")
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofHours(1))
            .register(registry);
    run =
        Timer.builder("scorestream.worker.job.run")
            .description("time from a job's start to its final event")
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofHours(1))
            .register(registry);
    samples =
        Counter.builder("scorestream.worker.samples")
            .description("samples of completed jobs")
            .register(registry);
  }

  /**
   * Adds gauges of the scheduler's active and queued jobs (it is built after these meters, which it
   * reports to).
   */
  public void watch(Scheduler scheduler) {
    Gauge.builder("scorestream.worker.jobs.active", scheduler, Scheduler::activeJobs)
        .description("jobs running now")
        .register(registry);
    Gauge.builder("scorestream.worker.jobs.queued", scheduler, Scheduler::queuedJobs)
        .description("jobs waiting for room")
        .register(registry);
    Gauge.builder("scorestream.worker.jobs.backlog", scheduler, Scheduler::backlog)
        .description("jobs read from Kafka and not started, the number --max-queued-jobs bounds")
        .register(registry);
  }

  /**
   * A gauge that is 1 while the worker runs on the CPU though it was asked for {@code requested} (a
   * GPU ONNX Runtime could not use), else 0: an alert's signal that a GPU node serves slowly.
   */
  public void device(String requested, boolean fellBack) {
    Gauge.builder("scorestream.worker.device.fallback", () -> fellBack ? 1 : 0)
        .tag("requested", requested)
        .description("1 when the models run on the CPU though a GPU was asked for")
        .register(registry);
  }

  @Override
  public void modelCalls(String model, long calls, long rows, long capacity, long nanos) {
    if (calls == 0) {
      return;
    }
    ModelMeters m = perModel.computeIfAbsent(model, this::metersFor);
    // a round's calls are timed together; each gets the mean (they differ only when rows overflow
    // one call, and then all but the last are full)
    for (long i = 0; i < calls; i++) {
      m.calls().record(nanos / calls, TimeUnit.NANOSECONDS);
    }
    m.rows().increment(rows);
    m.occupancy().record((double) rows / capacity);
  }

  private ModelMeters metersFor(String model) {
    return new ModelMeters(
        Timer.builder("scorestream.worker.model.call")
            .tag("model", model)
            .description("one batched score-network call")
            .publishPercentileHistogram()
            .register(registry),
        Counter.builder("scorestream.worker.score.evaluations")
            .tag("model", model)
            .description("score evaluations, one per sample row per call")
            .register(registry),
        DistributionSummary.builder("scorestream.worker.batch.occupancy")
            .tag("model", model)
            .description("rows per call over the maximum batch")
            .register(registry));
  }

  @Override
  public void failed(String code) {
    failed(code, 1);
  }

  @Override
  public void fault(String stage) {
    registry.counter("scorestream.worker.faults", "stage", stage).increment();
  }

  private void failed(String code, double count) {
    registry.counter("scorestream.worker.jobs.failed", "code", code).increment(count);
  }

  @Override
  public void finished(JobStatus status, int jobSamples, long queuedNanos, long runNanos) {
    registry
        .counter("scorestream.worker.jobs", "status", status.name().toLowerCase(Locale.ROOT))
        .increment();
    queued.record(queuedNanos, TimeUnit.NANOSECONDS);
    if (runNanos > 0) {
      run.record(runNanos, TimeUnit.NANOSECONDS);
    }
    if (status == JobStatus.SUCCEEDED) {
      samples.increment(jobSamples);
    }
  }
}
