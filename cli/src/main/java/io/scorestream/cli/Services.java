package io.scorestream.cli;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.worker.Worker;
import io.scorestream.worker.kafka.TopicNames;
import io.scorestream.worker.kafka.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** What the long-running commands share: topic set-up, starting a worker, running until Ctrl-C. */
final class Services {
  private Services() {}

  /** Creates the missing ScoreStream topics, replicated up to three times as the cluster allows. */
  static void ensureTopics(String bootstrapServers, TopicNames names) throws InterruptedException {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {   // fail within 30 s on a wrong address
      int brokers;
      try {
        brokers = admin.describeCluster().nodes().get().size();
      } catch (ExecutionException e) {
        throw new IllegalStateException("cannot reach Kafka at " + bootstrapServers + ": "
            + e.getCause().getMessage(), e.getCause());
      }
      Topics.ensure(admin, Topics.all(names, (short) Math.min(3, brokers)));
    }
  }

  static Worker startWorker(String bootstrapServers, TopicNames names, WorkerOptions options, PrintWriter err) {
    Worker worker = Worker.start(new Worker.Settings(bootstrapServers, names, options.workerId(),
        options.modelsDir, options.maxBatch, options.maxActiveSamples, options.maxSamplesPerJob, options.threads,
        options.cuda), line -> {
          err.println("scorestream worker: " + line);
          err.flush();
        });
    err.println("worker " + options.workerId() + " serves " + worker.models().all().stream()
        .map(m -> m.name() + ":" + m.version()).sorted().toList());
    err.flush();
    return worker;
  }

  /** Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM), then closes {@code resources} in order. */
  static void runUntilStopped(PrintWriter err, AutoCloseable... resources) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      err.println("stopping");
      err.flush();
      for (AutoCloseable r : resources) {
        try {
          r.close();
        } catch (Exception e) {
          err.println("while stopping: " + e.getMessage());
        }
      }
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
  }

  /** Model files written for {@code dev} when no models directory is given: the analytic mixture per SDE. */
  static Path writeAnalyticModels(Path dir) throws java.io.IOException {
    java.nio.file.Files.createDirectories(dir);
    GaussianMixture gmm = ModelCommand.Gmm.parse(ModelCommand.Gmm.DEFAULT_COMPONENTS);
    for (SdeKind kind : SdeKind.values()) {
      ModelInfo info = ModelCommand.flatModel("gmm-" + kind.key(), "1", ModelCommand.sde(kind, 0.01, 50, 0.1, 20),
          "gmm", gmm.dimension());
      java.nio.file.Files.write(dir.resolve(info.name() + ".onnx"), GaussianMixtureOnnx.build(gmm, info));
    }
    return dir;
  }
}
