package io.scorestream.worker;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.jobs.kafka.FleetView;
import io.scorestream.jobs.kafka.JobStateView;
import io.scorestream.jobs.metrics.MetricsServer;
import io.scorestream.worker.jobs.EventSink;
import io.scorestream.worker.jobs.Scheduler;
import io.scorestream.worker.kafka.CheckpointListener;
import io.scorestream.worker.kafka.ControlListener;
import io.scorestream.worker.kafka.Heartbeats;
import io.scorestream.worker.kafka.JobConsumer;
import io.scorestream.worker.kafka.JobRouter;
import io.scorestream.worker.kafka.KafkaEventSink;
import io.scorestream.worker.kafka.PoolConsumers;
import io.scorestream.worker.metrics.WorkerMetrics;
import io.scorestream.worker.models.ModelRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker: a member of the workers' consumer group that runs the jobs it is given with
 * continuous batching and streams their events. Built from its settings by a service's {@code
 * main}; {@link #close} stops it cleanly.
 *
 * <p>Errors come in three tiers. A bad record fails its job (or goes to the dead-letter topic) and
 * the worker goes on; a retriable Kafka error is retried by the clients; anything else (an event
 * that cannot be delivered within the delivery timeout, a thread that dies) stops the worker
 * without committing the jobs it holds, so they run again elsewhere. {@link #stopped} tells its
 * owner why.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

  private static final long HEARTBEAT_MILLIS = 2000;

  private final OrtRuntime runtime;
  private final ModelRegistry models;
  private final KafkaEventSink sink;
  private final Scheduler scheduler;
  private final JobStateView view;
  private final FleetView fleet;
  private final io.scorestream.jobs.kafka.TopicNames topics;
  private final JobConsumer jobs;
  private final PoolConsumers pools;
  private final ControlListener control;
  private final CheckpointListener checkpoints;
  private final Heartbeats heartbeats;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MetricsServer metricsServer;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CompletableFuture<Throwable> stopped = new CompletableFuture<>();

  private Worker(WorkerSettings settings) {
    this.topics = settings.topics();
    runtime = new OrtRuntime(settings.intraOpThreads(), settings.device());
    int maxBatch = settings.maxBatchOn(runtime.device());
    models = new ModelRegistry(runtime, maxBatch, settings.keepVersions());
    if (settings.modelsDir() != null) {
      models.loadDirectory(settings.modelsDir());
    }
    sink =
        new KafkaEventSink(
            settings.kafka(),
            settings.topics(),
            settings.workerId(),
            settings.deliveryTimeout(),
            this::onUndeliverable);
    Scheduler.Limits limits =
        new Scheduler.Limits(
            settings.workerId(),
            settings.maxActiveSamplesOn(runtime.device()),
            RequestChecks.Limits.withMaxSamples(settings.maxSamplesPerJob()));
    // every series names the device, so a mixed fleet's rates add up per device
    registry
        .config()
        .commonTags("worker", settings.workerId(), "device", runtime.device().toString());
    WorkerMetrics metrics = new WorkerMetrics(registry, models);
    metrics.device(runtime.requested().toString(), runtime.fallback().isPresent());
    view = new JobStateView(settings.kafka(), settings.topics());
    EventSink published =
        (event, state) -> {
          if (state != null) {
            // the view knows this worker's own states before the topic reader gets to them
            view.written(state);
          }
          sink.publish(event, state);
        };
    scheduler = new Scheduler(models, published, limits, metrics);
    metrics.watch(scheduler);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    fleet = new FleetView(settings.kafka(), settings.topics());
    JobRouter router = new JobRouter(models, fleet, settings.topics(), settings.kafka());
    jobs =
        new JobConsumer(
            settings.kafka(),
            settings.topics(),
            settings.workerId(),
            JobConsumer.group(settings.topics()),
            settings.topics().jobs(),
            scheduler,
            sink,
            view,
            fleet,
            router,
            settings.maxQueuedJobs());
    pools =
        new PoolConsumers(
            models,
            router,
            model ->
                new JobConsumer(
                    settings.kafka(),
                    settings.topics(),
                    settings.workerId(),
                    JobConsumer.poolGroup(settings.topics(), model),
                    settings.topics().pool(model),
                    scheduler,
                    sink,
                    view,
                    fleet,
                    router,
                    settings.maxQueuedJobs()),
            this::spawn);
    control = new ControlListener(settings.kafka(), settings.topics(), scheduler);
    checkpoints = new CheckpointListener(settings.kafka(), settings.topics(), models);
    heartbeats =
        new Heartbeats(
            settings.workerId(),
            host(),
            new Heartbeats.Placement(
                runtime.device().toString(), runtime.fallback().orElse(""), maxBatch),
            scheduler,
            models,
            sink,
            HEARTBEAT_MILLIS,
            router::advertised,
            fleet::beated);
    metricsServer =
        settings.metricsPort() < 0
            ? null
            : new MetricsServer(registry, settings.metricsHost(), settings.metricsPort());
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  /** Starts a worker; it logs through SLF4J (README, "Logging"). */
  public static Worker start(WorkerSettings settings) {
    Worker worker = new Worker(settings);
    worker.spawn("job-state-view", worker.view);
    worker.spawn("fleet-view", worker.fleet);
    worker.spawn("scheduler", worker.scheduler);
    worker.spawn("control", worker.control);
    worker.spawn("checkpoints", worker.checkpoints);
    worker.spawn("heartbeats", worker.heartbeats);
    worker.pools
        .startNew(); // the pools of the models served from the start, before the first heartbeat
    worker.spawn("jobs", worker.jobs);
    worker.spawn("pools", worker.pools);
    return worker;
  }

  private void spawn(String name, Runnable task) {
    Thread t =
        new Thread(
            () -> {
              try {
                task.run();
              } catch (Throwable e) {
                stopOnFatal("its " + name + " thread failed", e);
              }
            },
            "worker-" + name);
    t.setDaemon(true);
    t.start();
    threads.add(t);
  }

  private void onUndeliverable(Exception e) {
    stopOnFatal("an event could not be delivered to Kafka", e);
  }

  /**
   * Records the first fatal error and closes the worker on a thread of its own (a failing thread
   * cannot join itself).
   */
  private void stopOnFatal(String what, Throwable e) {
    if (fatal.compareAndSet(null, e) && !closing.get()) {
      LOG.error("stopping: {}", what, e);
      Thread stopper = new Thread(this::close, "worker-stop");
      stopper.setDaemon(true);
      stopper.start();
    }
  }

  /**
   * Completes when the worker has stopped: with null after {@link #close}, or with the fatal error
   * that stopped it.
   */
  public CompletableFuture<Throwable> stopped() {
    return stopped;
  }

  /**
   * True once this worker has read every cancel before these offsets of the control topic (an
   * operator's or a test's way to know a cancel was seen).
   */
  public boolean hasReadControl(Map<TopicPartition, Long> endOffsets) {
    return control.hasRead(endOffsets);
  }

  /** The models this worker serves. */
  public ModelRegistry models() {
    return models;
  }

  /** How many partitions of the jobs topic this worker holds now. */
  public int assignedJobPartitions() {
    return (int)
        jobs.assignedPartitions().stream().filter(p -> p.topic().equals(topics.jobs())).count();
  }

  /** The latest heartbeat this worker sent. */
  public io.scorestream.proto.v1.WorkerHeartbeat lastHeartbeat() {
    return heartbeats.last();
  }

  /**
   * The models some worker of the fleet (this one included) has served within the routing window.
   */
  public Set<String> fleetModels() {
    return fleet.models(Instant.now(), JobRouter.LIVENESS);
  }

  /** The scheduler, for its queue and activity counts. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** The port of the Prometheus endpoint, or -1 when it has none. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  /**
   * Lets running jobs finish before a planned stop: reads and starts no more jobs, and waits until
   * none runs or {@code timeout} has passed. Returns how many were still running; {@link #close}
   * then hands those, and the jobs that were waiting, back to Kafka for other workers.
   */
  public int drain(Duration timeout) throws InterruptedException {
    jobs.stopReading();
    pools.stopReading();
    scheduler.drain();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (scheduler.activeJobs() > 0 && System.nanoTime() < deadline && !stopped.isDone()) {
      Thread.sleep(20);
    }
    return scheduler.activeJobs();
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      stopped.join();
      return;
    }
    jobs.close();
    pools.close();
    control.close();
    checkpoints.close();
    heartbeats.close();
    scheduler.stop();
    view.close();
    fleet.close();
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (metricsServer != null) {
      metricsServer.close();
    }
    sink.close();
    models.close();
    registry.close();
    stopped.complete(fatal.get());
  }
}
