package io.scorestream.worker.kafka;

import io.scorestream.worker.models.ModelRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One job consumer per model this worker serves, each reading that model's pool topic in the group
 * of the workers that serve it (docs/worker.md, "Mixed fleets"). Checks once a second for models
 * that came with a checkpoint, creates their pool and starts their consumer; a model's consumer
 * runs until the worker closes (a worker keeps at least one version of every model it has served).
 */
public final class PoolConsumers implements Runnable, AutoCloseable {
  private static final long CHECK_MILLIS = 1000;
  private final ModelRegistry models;
  private final JobRouter router;
  private final Function<String, JobConsumer> consumerFor;
  private final BiConsumer<String, Runnable> spawn;
  private final Map<String, JobConsumer> consumers = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile boolean stopReading;

  /**
   * @param consumerFor makes the consumer of a model's pool
   * @param spawn runs a consumer on a thread of the worker's, named by the first argument
   */
  public PoolConsumers(
      ModelRegistry models,
      JobRouter router,
      Function<String, JobConsumer> consumerFor,
      BiConsumer<String, Runnable> spawn) {
    this.models = models;
    this.router = router;
    this.consumerFor = consumerFor;
    this.spawn = spawn;
  }

  @Override
  public void run() {
    while (!closed) {
      startNew();
      try {
        Thread.sleep(CHECK_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Starts the consumers of served models that have none yet, once their pools exist. */
  public synchronized void startNew() {
    for (ModelRegistry.Loaded m : models.all()) {
      if (closed || consumers.containsKey(m.name()) || !router.ensurePool(m.name())) {
        continue;
      }
      JobConsumer consumer = consumerFor.apply(m.name());
      if (stopReading) {
        consumer.stopReading();
      }
      consumers.put(m.name(), consumer);
      spawn.accept("pool-" + m.name(), consumer);
    }
  }

  /** Reads no more jobs from any pool (the worker is draining). */
  public void stopReading() {
    stopReading = true;
    consumers.values().forEach(JobConsumer::stopReading);
  }

  @Override
  public synchronized void close() {
    closed = true;
    consumers.values().forEach(JobConsumer::close);
    router.close();
  }
}
