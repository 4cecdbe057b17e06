package io.scorestream.worker;

import io.scorestream.jobs.kafka.TopicNames;
import java.nio.file.Path;

/**
 * A worker in a child JVM, for failover tests: {@code WorkerProcess BOOTSTRAP WORKER_ID MODELS_DIR
 * TOPIC_PREFIX}.
 */
public final class WorkerProcess {
  private WorkerProcess() {}

  public static void main(String[] args) throws InterruptedException {
    Worker.start(
        WorkerSettings.builder(args[0], args[1])
            .topics(TopicNames.withPrefix(args[3]))
            .modelsDir(Path.of(args[2]))
            .maxBatch(4096)
            .maxActiveSamples(100_000)
            .maxSamplesPerJob(10_000)
            .intraOpThreads(1)
            .build());
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join();
  }
}
