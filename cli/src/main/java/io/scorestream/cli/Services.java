package io.scorestream.cli;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.jobs.Faults;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.worker.Worker;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** What the long-running commands share: topic set-up, starting a worker, running until Ctrl-C. */
public final class Services {
  private Services() {}

  /** Creates the missing ScoreStream topics, replicated up to three times as the cluster allows. */
  public static void ensureTopics(KafkaClients kafka, TopicNames names)
      throws InterruptedException {
    try (Admin admin =
        kafka.admin(
            Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000))) { // fail within 30 s on a wrong address
      int brokers;
      try {
        brokers = admin.describeCluster().nodes().get().size();
      } catch (ExecutionException e) {
        throw new IllegalStateException(
            "cannot reach Kafka at " + kafka.bootstrapServers() + ": " + e.getCause().getMessage(),
            e.getCause());
      }
      Topics.ensure(admin, Topics.all(names, (short) Math.min(3, brokers)));
    }
  }

  public static Worker startWorker(
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
              + options.metricsHost
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
      PrintWriter err, Worker worker, Duration drain, AutoCloseable... others)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              err.println("stopping");
              err.flush();
              drain(err, worker, drain);
              closeAll(err, worker, others);
              stopped.countDown();
            },
            "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Throwable fatal = worker.stopped().join();
    if (fatal == null) {
      stopped.await(); // the hook closed the worker: wait until it has closed the rest too
      return 0;
    }
    Runtime.getRuntime().removeShutdownHook(hook);
    err.println(
        "the worker stopped: "
            + Faults.reason(fatal)
            + (fatal.getCause() == null ? "" : ", caused by " + Faults.reason(fatal.getCause()))
            + " (its stack trace is above)");
    closeAll(err, worker, others);
    return 1;
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

  /**
   * For a service with no worker (the gateway): blocks until the JVM is asked to stop, then closes
   * {@code parts} in order. Returns the exit code, 0.
   */
  public static int runUntilStopped(PrintWriter err, AutoCloseable... parts)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  err.println("stopping");
                  err.flush();
                  closeAll(err, parts);
                  stopped.countDown();
                },
                "shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * Copies the trained models that ship in the repository's {@code models/} (found through the
   * {@code scorestream.home} property that {@code bin/scorestream} sets) beside the analytic ones.
   */
  public static void copyShippedModels(Path into, PrintWriter err) throws IOException {
    String home = System.getProperty("scorestream.home");
    Path shipped = home == null ? null : Path.of(home, "models");
    if (shipped == null || !Files.isDirectory(shipped)) {
      return;
    }
    try (var files = Files.list(shipped)) {
      for (Path model : files.filter(p -> p.toString().endsWith(".onnx")).sorted().toList()) {
        Files.copy(model, into.resolve(model.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        err.println("shipped model " + model.getFileName() + " from " + shipped);
      }
    }
  }

  /** Side of the analytic glyph images that dev serves. */
  private static final int GLYPH_SIDE = 16;

  private static void closeAll(PrintWriter err, Worker worker, AutoCloseable... others) {
    worker.close();
    closeAll(err, others);
  }

  private static void closeAll(PrintWriter err, AutoCloseable... parts) {
    for (AutoCloseable r : parts) {
      try {
        r.close();
      } catch (Exception e) {
        err.println("while stopping: " + e.getMessage());
      }
    }
    err.flush();
  }

  /**
   * Model files written for {@code dev} when no models directory is given: the analytic mixture per
   * SDE, and an analytic image model (16 x 16 glyphs) whose samples form as images.
   */
  public static Path writeAnalyticModels(Path dir) throws IOException {
    Files.createDirectories(dir);
    GaussianMixture gmm = ModelCommand.Gmm.parse(ModelCommand.Gmm.DEFAULT_COMPONENTS);
    for (SdeKind kind : SdeKind.values()) {
      ModelInfo info =
          ModelCommand.flatModel(
              "gmm-" + kind.key(),
              "1",
              ModelCommand.sde(kind, 0.01, 50, 0.1, 20),
              "gmm",
              gmm.dimension());
      Files.write(dir.resolve(info.name() + ".onnx"), GaussianMixtureOnnx.build(gmm, info));
    }
    io.scorestream.core.sde.Sde vp = ModelCommand.sde(SdeKind.VP, 0.01, 50, 0.1, 20);
    ModelInfo glyphs =
        new ModelInfo(
            "glyphs-vp",
            "1",
            vp,
            vp.defaultEps(),
            new int[] {1, GLYPH_SIDE, GLYPH_SIDE},
            io.scorestream.core.model.DataScaling.CENTERED,
            0,
            io.scorestream.core.model.TimeInput.TIME,
            "glyphs",
            -1);
    GaussianMixture shapes = io.scorestream.core.analytic.Glyphs.mixture(GLYPH_SIDE, 0.1);
    Files.write(dir.resolve(glyphs.name() + ".onnx"), GaussianMixtureOnnx.build(shapes, glyphs));
    // the exact classifiers of their components, which guide gmm-vp to a mode and glyphs-vp to a
    // glyph
    writeClassifier(
        dir,
        "gmm-vp-modes",
        gmm,
        ModelCommand.flatModel("gmm-vp", "1", vp, "gmm", gmm.dimension()));
    writeClassifier(dir, "glyphs-vp-shapes", shapes, glyphs);
    return dir;
  }

  private static void writeClassifier(Path dir, String name, GaussianMixture gmm, ModelInfo model)
      throws IOException {
    ModelInfo info =
        new ModelInfo(
            name,
            "1",
            model.sde(),
            model.eps(),
            model.dataShape(),
            model.scaling(),
            gmm.components(),
            model.timeInput(),
            model.dataset(),
            -1);
    Files.write(dir.resolve(name + ".onnx"), GaussianMixtureOnnx.classifier(gmm, info));
  }
}
