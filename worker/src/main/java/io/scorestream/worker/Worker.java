package io.scorestream.worker;

import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.worker.jobs.Scheduler;
import io.scorestream.worker.kafka.CheckpointListener;
import io.scorestream.worker.kafka.ControlListener;
import io.scorestream.worker.kafka.Heartbeats;
import io.scorestream.worker.kafka.JobConsumer;
import io.scorestream.worker.kafka.JobStateView;
import io.scorestream.worker.kafka.KafkaEventSink;
import io.scorestream.worker.kafka.TopicNames;
import io.scorestream.worker.models.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One worker: a member of the workers' consumer group that runs the jobs it is given with continuous batching
 * and streams their events. Built from its settings by a service's {@code main}; {@link #close} stops it cleanly.
 */
public final class Worker implements AutoCloseable {
  /**
   * Worker settings.
   *
   * @param bootstrapServers Kafka cluster
   * @param topics           topic names
   * @param workerId         this worker's id, unique in the fleet
   * @param modelsDir        directory of {@code .onnx} models to serve, or null
   * @param maxBatch         most rows per model call
   * @param maxActiveSamples most samples running at once; more jobs wait
   * @param maxSamplesPerJob the largest job accepted
   * @param intraOpThreads   ONNX Runtime intra-op threads, 0 for its default
   * @param cuda             use CUDA when present
   */
  public record Settings(String bootstrapServers, TopicNames topics, String workerId, Path modelsDir, int maxBatch,
      int maxActiveSamples, int maxSamplesPerJob, int intraOpThreads, boolean cuda) {}

  private final ModelRegistry models;
  private final KafkaEventSink sink;
  private final Scheduler scheduler;
  private final JobStateView view;
  private final JobConsumer jobs;
  private final ControlListener control;
  private final CheckpointListener checkpoints;
  private final Heartbeats heartbeats;
  private static final long HEARTBEAT_MILLIS = 2000;
  private final List<Thread> threads = new ArrayList<>();

  private Worker(Settings settings, Consumer<String> log) {
    models = new ModelRegistry(new OrtRuntime(settings.intraOpThreads(), settings.cuda(), log), settings.maxBatch(),
        log);
    if (settings.modelsDir() != null) {
      models.loadDirectory(settings.modelsDir());
    }
    sink = new KafkaEventSink(settings.bootstrapServers(), settings.topics(), settings.workerId());
    scheduler = new Scheduler(models, sink, new Scheduler.Limits(settings.workerId(), settings.maxActiveSamples(),
        settings.maxSamplesPerJob()));
    view = new JobStateView(settings.bootstrapServers(), settings.topics());
    jobs = new JobConsumer(settings.bootstrapServers(), settings.topics(), settings.workerId(), scheduler, sink, view);
    control = new ControlListener(settings.bootstrapServers(), settings.topics(), scheduler);
    checkpoints = new CheckpointListener(settings.bootstrapServers(), settings.topics(), models, log);
    heartbeats = new Heartbeats(settings.workerId(), host(), scheduler, models, sink, HEARTBEAT_MILLIS);
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown";
    }
  }

  /** Starts a worker; {@code log} receives one-line operational messages. */
  public static Worker start(Settings settings, Consumer<String> log) {
    Worker worker = new Worker(settings, log);
    worker.spawn("job-state-view", worker.view);
    worker.spawn("scheduler", worker.scheduler);
    worker.spawn("control", worker.control);
    worker.spawn("checkpoints", worker.checkpoints);
    worker.spawn("heartbeats", worker.heartbeats);
    worker.spawn("jobs", worker.jobs);
    return worker;
  }

  private void spawn(String name, Runnable task) {
    Thread t = new Thread(task, "worker-" + name);
    t.setDaemon(true);
    t.start();
    threads.add(t);
  }

  /** The models this worker serves. */
  public ModelRegistry models() {
    return models;
  }

  /** How many partitions of the jobs topic this worker holds now. */
  public int assignedJobPartitions() {
    return jobs.assignedPartitions().size();
  }

  /** The latest heartbeat this worker sent. */
  public io.scorestream.proto.v1.WorkerHeartbeat lastHeartbeat() {
    return heartbeats.last();
  }

  /** The scheduler, for its queue and activity counts. */
  public Scheduler scheduler() {
    return scheduler;
  }

  @Override
  public void close() {
    jobs.close();
    control.close();
    checkpoints.close();
    heartbeats.close();
    scheduler.stop();
    view.close();
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    sink.close();
    models.close();
  }
}
