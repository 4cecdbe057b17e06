package io.scorestream.worker;

import io.scorestream.worker.kafka.TopicNames;
import java.nio.file.Path;

/** A worker in a child JVM, for failover tests: {@code WorkerProcess BOOTSTRAP WORKER_ID MODELS_DIR}. */
public final class WorkerProcess {
  private WorkerProcess() {}

  public static void main(String[] args) throws InterruptedException {
    Worker.start(new Worker.Settings(args[0], TopicNames.defaults(), args[1], Path.of(args[2]), 4096, 100_000,
        10_000, 1, false), System.err::println);
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join();
  }
}
