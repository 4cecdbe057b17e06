package io.scorestream.worker.jobs;

import io.scorestream.core.sample.SamplingFailure;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.jobs.FailureCode;
import io.scorestream.jobs.Faults;
import io.scorestream.jobs.Problem;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.jobs.RequestException;
import io.scorestream.proto.v1.Accepted;
import io.scorestream.proto.v1.Cancelled;
import io.scorestream.proto.v1.Completed;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobStatus;
import io.scorestream.proto.v1.Progress;
import io.scorestream.proto.v1.Started;
import io.scorestream.worker.models.ModelRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching on one thread: every running job of a model version shares each model call,
 * whatever step or sampler it is at; jobs join and leave between calls. A maximum number of active
 * samples bounds memory; beyond it jobs wait in priority order, then arrival order. Cancellations
 * take effect between model calls, so within one score evaluation of the job, and free its rows at
 * once.
 */
public final class Scheduler implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  /**
   * Limits and identity of the worker that runs this scheduler.
   *
   * @param requests what a job may ask for: samples per job, size of its result
   */
  public record Limits(String workerId, int maxActiveSamples, RequestChecks.Limits requests) {}

  private final ModelRegistry models;
  private final EventSink sink;
  private final Limits limits;
  private final JobMetrics metrics;
  private final JobChecks checks;
  private final SharedCalls calls;
  private final JobStarter starter;

  /**
   * Jobs and abandons in the order the consumer sent them: a job delivered again right after its
   * partition was revoked and assigned back must not be dropped by the abandon that came before it.
   */
  private final BlockingQueue<Inbound> incoming = new LinkedBlockingQueue<>();

  private final Cancels cancels = new Cancels();
  private final PriorityQueue<RunningJob> waiting =
      new PriorityQueue<>(
          Comparator.comparingInt(RunningJob::priority)
              .reversed()
              .thenComparingLong(j -> j.arrivalOrder));
  private final Map<String, RunningJob> running = new LinkedHashMap<>();

  /** Every job accepted and not yet finished or abandoned, waiting or running, by id. */
  private final Map<String, RunningJob> held = new HashMap<>();

  private final List<RunningJob> snapshot = new ArrayList<>();

  /**
   * Running totals for heartbeats and metrics.
   *
   * @param samplesCompleted samples of completed jobs
   * @param rowsEvaluated score evaluations, one per sample row per model call
   * @param modelCalls model calls
   * @param rowCapacity rows those calls could have held (maximum batch per call)
   * @param modelNanos wall time inside those calls
   */
  public record Totals(
      long samplesCompleted,
      long rowsEvaluated,
      long modelCalls,
      long rowCapacity,
      long modelNanos) {}

  private volatile Totals totals = new Totals(0, 0, 0, 0, 0);
  private volatile boolean stopping;
  private volatile boolean draining;
  private volatile boolean stopped;
  private volatile int activeJobs;
  private volatile int queuedJobs;
  private long arrivals;
  private long activeSamples;

  /** A scheduler; each fault of the worker's own in a job's handling is logged once, at ERROR. */
  public Scheduler(ModelRegistry models, EventSink sink, Limits limits, JobMetrics metrics) {
    this.models = models;
    this.sink = sink;
    this.limits = limits;
    this.metrics = metrics;
    this.checks = new JobChecks(models, new RequestChecks(limits.requests()));
    this.calls = new SharedCalls(metrics);
    this.starter = new JobStarter(models, checks);
  }

  private sealed interface Inbound permits Arrival, Abandon {}

  /**
   * A job, with the problem it was refused for before it came here (null: none; the scheduler
   * checks it).
   */
  private record Arrival(Job job, Problem refused) implements Inbound {}

  private record Abandon(Set<String> jobIds, CompletableFuture<Void> done) implements Inbound {}

  /** Hands a job to the scheduler; thread-safe. */
  public void submit(Job job) {
    incoming.add(new Arrival(job, null));
  }

  /**
   * Hands over a job that has already failed for this problem (its record could not be routed on,
   * say): the job gets its accepted and failed events here, in order with everything else of the
   * scheduler's. Thread-safe.
   */
  public void refuse(Job job, Problem problem) {
    incoming.add(new Arrival(job, problem));
  }

  /**
   * Asks for a job to be cancelled, queued or running, on behalf of a tenant and for a reason
   * (empty: none given): only the tenant that submitted a job can cancel it. Unknown or finished
   * ids, and other tenants' jobs, are left alone. Thread-safe.
   */
  public void cancel(String jobId, String tenant, String reason) {
    cancels.add(jobId, tenant, reason);
  }

  /**
   * Drops these jobs without events (their partitions went to another worker, which runs them
   * again). The future completes once the scheduler has dropped them, at its next round (after at
   * most one model call), or at once when it has stopped: from then on it sends nothing more for
   * them. Thread-safe.
   */
  public CompletableFuture<Void> abandon(Set<String> jobIds) {
    Abandon abandon = new Abandon(Set.copyOf(jobIds), new CompletableFuture<>());
    incoming.add(abandon);
    if (stopped) {
      abandon.done().complete(null); // nothing runs any more; the queue is not read again
    }
    return abandon.done();
  }

  /** Jobs running now. */
  public int activeJobs() {
    return activeJobs;
  }

  /** Jobs waiting for room. */
  public int queuedJobs() {
    return queuedJobs;
  }

  /**
   * Jobs handed over and not started yet: those waiting for room and those not yet taken in. It can
   * miss the one job being taken in at the moment it is read. Thread-safe.
   */
  public int backlog() {
    return incoming.size() + queuedJobs;
  }

  /** Running totals since start. */
  public Totals totals() {
    return totals;
  }

  /**
   * Starts no more jobs: the running ones go on to their ends, the waiting ones wait until the
   * worker closes and abandons them. Thread-safe.
   */
  public void drain() {
    draining = true;
  }

  /** Asks the loop to end after the current model call. */
  public void stop() {
    stopping = true;
  }

  @Override
  public void run() {
    try {
      while (!stopping) {
        if (running.isEmpty() && waiting.isEmpty()) {
          Inbound next = incoming.poll(50, TimeUnit.MILLISECONDS);
          if (next != null) {
            take(next);
          }
        }
        iterate();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopped = true;
      for (Inbound left; (left = incoming.poll()) != null; ) {
        if (left instanceof Abandon a) {
          a.done().complete(null); // no more events will come for anything
        }
      }
    }
  }

  /**
   * One round: take new jobs and cancellations, admit what fits, run one shared model call per
   * model.
   */
  void iterate() {
    for (Inbound next; (next = incoming.poll()) != null; ) {
      take(next);
      queuedJobs =
          waiting
              .size(); // at once, not after the model call: the consumer bounds its reading by it
    }
    applyCancels();
    admit();
    queuedJobs = waiting.size();
    totals = calls.run(running.values(), totals);
    calls.failures().forEach(this::failJobsOf);
    snapshot.clear();
    snapshot.addAll(running.values());
    for (RunningJob r : snapshot) {
      try {
        report(r);
      } catch (RuntimeException e) {
        fault(r.job, r, "reporting its progress or result", e);
      }
    }
    activeJobs = running.size();
    queuedJobs = waiting.size();
    models.closeRetired(this::inUse);
  }

  /**
   * A model call that throws fails the jobs that shared it, not the worker: the next round serves
   * the rest.
   */
  private void failJobsOf(ModelRegistry.Loaded model, RuntimeException error) {
    Problem problem =
        new Problem(
            FailureCode.MODEL_ERROR,
            "",
            "model "
                + model.name()
                + ":"
                + model.version()
                + " failed to evaluate: "
                + String.valueOf(error.getMessage()).lines().findFirst().orElse(""));
    snapshot.clear();
    snapshot.addAll(running.values());
    for (RunningJob r : snapshot) {
      if (r.model == model) {
        release(r);
        fail(r, problem);
      }
    }
  }

  private boolean inUse(ModelRegistry.Loaded model) {
    for (RunningJob r : running.values()) {
      if (r.model == model) {
        return true;
      }
    }
    return false;
  }

  private void accept(Job job, Problem refused) {
    RunningJob holder = held.get(job.id());
    if (holder != null) {
      if (!holder.job.digest().equals(job.digest())) {
        sink.publish(
            Refusals.idTaken(job.id(), job.digest()), null); // the id's job is another request
      }
      job.onFinal()
          .run(); // a second record of a job already here is the same job: it is served once
      return;
    }
    RunningJob r = null;
    try {
      Optional<Problem> problem = refused != null ? Optional.of(refused) : checks.problem(job);
      r = new RunningJob(job, arrivals++, problem.isPresent());
      r.emit(sink, JobEvent.newBuilder().setAccepted(Accepted.newBuilder().setRequest(r.shown)));
      String early = cancels.takeEarly(job.id(), job.request().getTenant());
      if (early != null) {
        finish(
            r,
            JobEvent.newBuilder()
                .setCancelled(Cancelled.newBuilder().setReason(early + " (before it started)")),
            JobStatus.CANCELLED);
        return;
      }
      if (problem.isPresent()) {
        fail(r, problem.get());
        return;
      }
      waiting.add(r);
      held.put(job.id(), r);
    } catch (RuntimeException e) {
      fault(job, r, "taking it in", e);
    }
  }

  /**
   * A fault of the worker's own while handling one job (a bug, or a request no check foresaw):
   * fails that job alone with {@code internal}, unless its final event is already out, and logs it
   * once with its stack trace; every other job goes on. When even the job's events cannot be built
   * as usual, a bare failed event and state go out.
   */
  private void fault(Job job, RunningJob r, String stage, RuntimeException e) {
    metrics.fault(stage);
    LOG.error("job {} failed while {}", job.id(), stage, e);
    if (r != null && r.ended) {
      return; // it has its final event: nothing more to say
    }
    Problem problem =
        new Problem(
            FailureCode.INTERNAL,
            "",
            "internal error while "
                + stage
                + ": "
                + Faults.reason(e)
                + " (the worker logged it; the job failed alone)");
    if (r != null) {
      release(r);
      waiting.remove(r);
      held.remove(job.id(), r);
    }
    RunningJob shown = r != null ? r : bare(job);
    if (shown != null) {
      fail(shown, problem);
      return;
    }
    JobEvent failed = Refusals.bare(job, problem);
    sink.publish(failed, Refusals.bareState(job, failed));
    metrics.failed(problem.code().wire());
    job.onFinal().run();
  }

  /**
   * The job as a refused one (a bounded copy of its request), or null when even that cannot be
   * built.
   */
  private RunningJob bare(Job job) {
    try {
      return new RunningJob(job, arrivals++, true);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void take(Inbound next) {
    if (next instanceof Arrival a) {
      accept(a.job(), a.refused());
    } else if (next instanceof Abandon a) {
      drop(a.jobIds());
      a.done().complete(null);
    }
  }

  private void drop(Set<String> ids) {
    for (String id : ids) {
      RunningJob r = held.remove(id);
      if (r != null) {
        release(r);
      }
    }
    waiting.removeIf(r -> ids.contains(r.job.id()));
  }

  private void applyCancels() {
    for (Cancels.Request c; (c = cancels.poll()) != null; ) {
      RunningJob r = held.get(c.jobId());
      if (r == null) {
        cancels.keepForLater(c);
        continue;
      }
      if (!r.job.request().getTenant().equals(c.tenant())) {
        continue;
      }
      if (!release(r)) {
        waiting.remove(r);
      }
      try {
        finish(
            r,
            JobEvent.newBuilder().setCancelled(Cancelled.newBuilder().setReason(c.reason())),
            JobStatus.CANCELLED);
      } catch (RuntimeException e) {
        fault(r.job, r, "cancelling it", e);
      }
    }
  }

  private void admit() {
    while (!draining && !waiting.isEmpty()) {
      RunningJob next = waiting.peek();
      if (!running.isEmpty() && activeSamples + next.rows() > limits.maxActiveSamples()) {
        return;
      }
      waiting.poll();
      start(next);
    }
  }

  private void start(RunningJob r) {
    try {
      startOrRefuse(r);
    } catch (RuntimeException e) {
      fault(r.job, r, "starting it", e);
    }
  }

  private void startOrRefuse(RunningJob r) {
    JobStarter.Start started;
    try {
      started = starter.start(r.job, r.samples());
    } catch (RequestException e) {
      fail(r, e.problem());
      return;
    }
    r.task = started.task();
    r.process = started.process();
    ModelRegistry.Loaded model = started.model();
    if (ProgressReports.wantsDenoised(r)) {
      r.process.keepDenoisedEstimate();
    }
    r.model = model;
    r.startedAtNanos = System.nanoTime();
    r.lastProgressNanos = r.startedAtNanos;
    running.put(r.job.id(), r);
    activeSamples += r.rows();
    r.emit(
        sink,
        JobEvent.newBuilder()
            .setStarted(
                Started.newBuilder()
                    .setWorkerId(limits.workerId())
                    .setModelVersion(model.version())));
  }

  private void report(RunningJob r) {
    SamplingProcess p = r.process;
    if (p.failure() != null) {
      release(r);
      SamplingFailure f = p.failure();
      fail(r, new Problem(FailureCode.NON_FINITE, "", f.message()));
      return;
    }
    long now = System.nanoTime();
    if (p.finished()) {
      release(r);
      Completed completed = ProgressReports.completed(r, now);
      Totals t = totals;
      totals =
          new Totals(
              t.samplesCompleted() + r.samples(),
              t.rowsEvaluated(),
              t.modelCalls(),
              t.rowCapacity(),
              t.modelNanos());
      finish(r, JobEvent.newBuilder().setCompleted(completed), JobStatus.SUCCEEDED);
      return;
    }
    Progress.Builder progress = ProgressReports.due(r, now, running.size());
    if (progress != null) {
      r.emit(sink, JobEvent.newBuilder().setProgress(progress));
    }
  }

  /** Takes a running job off the running set and frees its rows; false if it was not running. */
  private boolean release(RunningJob r) {
    if (!running.remove(r.job.id(), r)) {
      return false;
    }
    activeSamples -= r.rows();
    return true;
  }

  private void fail(RunningJob r, Problem problem) {
    metrics.failed(problem.code().wire());
    finish(r, JobEvent.newBuilder().setFailed(problem.toFailed()), JobStatus.FAILED);
  }

  private void finish(RunningJob r, JobEvent.Builder event, JobStatus status) {
    held.remove(r.job.id(), r);
    r.ended = true;
    r.emit(sink, event);
    long now = System.nanoTime();
    long started = r.model != null ? r.startedAtNanos : now; // the model is set when a job starts
    metrics.finished(status, r.samples(), started - r.queuedAtNanos, now - started);
    LOG.debug(
        "job {} {} after {} ms queued and {} ms running",
        r.job.id(),
        status,
        (started - r.queuedAtNanos) / 1_000_000,
        (now - started) / 1_000_000);
    r.job.onFinal().run();
  }
}
