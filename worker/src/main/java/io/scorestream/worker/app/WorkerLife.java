package io.scorestream.worker.app;

import io.scorestream.jobs.cli.ServiceLife;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.worker.Worker;
import java.io.PrintWriter;
import java.time.Duration;

/** A worker's life as a command: started with what it serves said, run until stopped, drained. */
public final class WorkerLife {
  private WorkerLife() {}

  /**
   * Starts a worker and says what it serves (or how to give it models), and where its metrics are.
   */
  public static Worker start(
      KafkaClients kafka, TopicNames names, WorkerOptions options, PrintWriter err) {
    Worker worker = Worker.start(options.settings(kafka, names));
    if (worker.models().all().isEmpty()) {
      err.println(
          "worker "
              + options.workerId()
              + " serves no model yet: give --models-dir, or publish models to "
              + names.checkpoints()
              + " (it loads them as they come); until then it routes every job to the workers"
              + " that serve its model");
    } else {
      err.println(
          "worker "
              + options.workerId()
              + " serves "
              + worker.models().all().stream()
                  .map(m -> m.name() + ":" + m.version())
                  .sorted()
                  .toList());
    }
    if (worker.metricsPort() >= 0) {
      err.println(
          "worker metrics on http://"
              + options.metricsHost()
              + ":"
              + worker.metricsPort()
              + "/metrics");
    }
    err.flush();
    return worker;
  }

  /**
   * Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM) or the worker stops by itself on a
   * fatal error, then closes the worker and {@code others} in order; on a requested stop it first
   * lets running jobs finish for up to {@code drain}. Returns the exit code: 0 after a requested
   * stop, 1 after a fatal error, which is printed.
   */
  public static int runUntilStopped(
      ServiceLife life, PrintWriter err, Worker worker, Duration drain, AutoCloseable... others)
      throws InterruptedException {
    AutoCloseable[] parts = new AutoCloseable[others.length + 1];
    parts[0] = worker;
    System.arraycopy(others, 0, parts, 1, others.length);
    return life.runUntilStopped(worker.stopped(), () -> drain(err, worker, drain), parts);
  }

  private static void drain(PrintWriter err, Worker worker, Duration timeout) {
    int running = worker.scheduler().activeJobs();
    if (timeout.isZero() || running == 0) {
      return;
    }
    err.println(
        "letting " + running + " running job(s) finish, for up to " + timeout.toSeconds() + " s");
    err.flush();
    try {
      int left = worker.drain(timeout);
      if (left > 0) {
        err.println(left + " job(s) still running go back to Kafka for another worker");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    err.flush();
  }
}
