package io.scorestream.jobs.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/**
 * How a long-running service command lives: until the JVM is asked to stop, then closes its parts.
 */
public final class ServiceLife {
  private ServiceLife() {}

  /**
   * Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM), then closes {@code parts} in order.
   * Returns the exit code, 0.
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
                  exitAfterRequestedStop();
                },
                "shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * Ends the JVM with status 0 from a shutdown hook that has closed everything: a stop that was
   * asked for (SIGTERM from a supervisor, Ctrl-C) and went well is a success, not the 143 the JVM
   * gives a signalled exit. Called last in the hook; nothing is left to run.
   */
  public static void exitAfterRequestedStop() {
    Runtime.getRuntime().halt(0);
  }

  /** Closes each part in order; one that fails to close is reported and the next is closed. */
  public static void closeAll(PrintWriter err, AutoCloseable... parts) {
    for (AutoCloseable r : parts) {
      try {
        r.close();
      } catch (Exception e) {
        err.println("while stopping: " + e.getMessage());
      }
    }
    err.flush();
  }
}
