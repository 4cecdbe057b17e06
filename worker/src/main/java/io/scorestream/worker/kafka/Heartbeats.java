package io.scorestream.worker.kafka;

import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.FleetView;
import io.scorestream.proto.v1.ModelVersion;
import io.scorestream.proto.v1.WorkerHeartbeat;
import io.scorestream.worker.jobs.Scheduler;
import io.scorestream.worker.models.ModelRegistry;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Builds a worker's heartbeat every period from the scheduler's totals: rates over the last period.
 */
public final class Heartbeats implements Runnable, AutoCloseable {
  private final String workerId;
  private final String host;
  private final Placement placement;
  private final Scheduler scheduler;
  private final ModelRegistry models;
  private final KafkaEventSink sink;
  private final long periodMillis;
  private final Predicate<String> advertised;
  private final Consumer<WorkerHeartbeat> sent;
  private volatile boolean closed;
  private volatile WorkerHeartbeat last = WorkerHeartbeat.getDefaultInstance();

  /**
   * Where the worker's models run, for its heartbeats.
   *
   * @param device {@code cpu} or {@code cuda:N}
   * @param fallback why it runs on the CPU though asked for a GPU, or empty
   * @param maxBatch most rows per model call
   */
  public record Placement(String device, String fallback, int maxBatch) {}

  /**
   * @param advertised which of its models the worker may say it serves now (those whose pool topic
   *     exists)
   * @param sent receives every beat as it is sent (the worker's own fleet view)
   */
  public Heartbeats(
      String workerId,
      String host,
      Placement placement,
      Scheduler scheduler,
      ModelRegistry models,
      KafkaEventSink sink,
      long periodMillis,
      Predicate<String> advertised,
      Consumer<WorkerHeartbeat> sent) {
    this.advertised = advertised;
    this.sent = sent;
    this.workerId = workerId;
    this.host = host;
    this.placement = placement;
    this.scheduler = scheduler;
    this.models = models;
    this.sink = sink;
    this.periodMillis = periodMillis;
  }

  @Override
  public void run() {
    Scheduler.Totals before = scheduler.totals();
    long then = System.nanoTime();
    boolean first = true;
    while (!closed) {
      try {
        // the first beat soon after start, so the fleet learns the worker's models without a
        // period's wait
        Thread.sleep(first ? Math.min(200, periodMillis) : periodMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      first = false;
      Scheduler.Totals now = scheduler.totals();
      long at = System.nanoTime();
      last = beat(before, now, Math.max(1e-3, (at - then) / 1e9));
      sink.heartbeat(last);
      sent.accept(last);
      before = now;
      then = at;
    }
  }

  private WorkerHeartbeat beat(Scheduler.Totals before, Scheduler.Totals now, double seconds) {
    long capacity = now.rowCapacity() - before.rowCapacity();
    WorkerHeartbeat.Builder b =
        WorkerHeartbeat.newBuilder()
            .setWorkerId(workerId)
            .setHost(host)
            .setDevice(placement.device())
            .setDeviceFallback(placement.fallback())
            .setMaxBatch(placement.maxBatch())
            .setActiveJobs(scheduler.activeJobs())
            .setQueuedJobs(scheduler.queuedJobs())
            .setSamplesPerSecond((now.samplesCompleted() - before.samplesCompleted()) / seconds)
            .setEvaluationsPerSecond((now.rowsEvaluated() - before.rowsEvaluated()) / seconds)
            .setBatchOccupancy(
                capacity == 0
                    ? 0
                    : (double) (now.rowsEvaluated() - before.rowsEvaluated()) / capacity)
            .setTime(Times.now());
    models.all().stream()
        .filter(m -> advertised.test(m.name()))
        .forEach(
            m -> {
              var info = m.model().info();
              ModelVersion.Builder v =
                  ModelVersion.newBuilder()
                      .setName(m.name())
                      .setVersion(m.version())
                      .setKind(m.classifier() ? FleetView.CLASSIFIER : FleetView.SCORE)
                      .setSde(info.sde().kind().key())
                      .setNumClasses(info.numClasses())
                      .putAllMetadata(io.scorestream.core.model.ModelMetadata.describe(info));
              for (int d : info.dataShape()) {
                v.addDataShape(d);
              }
              b.addModels(v);
            });
    return b.build();
  }

  /** The latest heartbeat sent. */
  public WorkerHeartbeat last() {
    return last;
  }

  @Override
  public void close() {
    closed = true;
  }
}
