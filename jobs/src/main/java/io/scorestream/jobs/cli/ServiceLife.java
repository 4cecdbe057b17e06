package io.scorestream.jobs.cli;

import io.scorestream.jobs.Faults;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a long-running service command lives: until the JVM is asked to stop (Ctrl-C, SIGTERM) or the
 * service ends by itself, then closes its parts. Shared by the worker, gateway, trainer and {@code
 * dev} commands, so that each stops the same way and with the same exit codes.
 */
public final class ServiceLife {
  private ServiceLife() {}

  /**
   * Blocks until the JVM is asked to stop, then closes {@code parts} in order: a service that ends
   * only when stopped (the gateway). Returns 0.
   */
  public static int runUntilStopped(PrintWriter err, AutoCloseable... parts)
      throws InterruptedException {
    return runUntilStopped(err, "the service", new CompletableFuture<>(), () -> {}, parts);
  }

  /**
   * Blocks until the JVM is asked to stop or {@code ended} completes, then closes {@code parts} in
   * order.
   *
   * <p>On a requested stop the shutdown hook first runs {@code drain} (a worker lets its running
   * jobs finish), closes the parts and ends the JVM with 0. When the service ends by itself, {@code
   * ended} gives null for a service that finished its work (a trainer at its last step) and the
   * fault otherwise, which is printed; the parts are closed and the exit code is 0 or 1.
   *
   * @param name the service as messages name it, "the worker"
   * @param ended completes when the service has stopped: with null, or with the fatal fault
   */
  public static int runUntilStopped(
      PrintWriter err,
      String name,
      CompletionStage<Throwable> ended,
      Runnable drain,
      AutoCloseable... parts)
      throws InterruptedException {
    AtomicBoolean asked = new AtomicBoolean();
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              asked.set(true);
              err.println("stopping");
              err.flush();
              drain.run();
              closeAll(err, parts);
              closed.countDown();
              exitAfterRequestedStop();
            },
            "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Throwable fault = ended.toCompletableFuture().join();
    if (asked.get() || !removed(hook)) {
      closed.await(); // the hook is closing the parts and ends the JVM when done
      return 0;
    }
    if (fault != null) {
      err.println(
          name
              + " stopped: "
              + Faults.reason(fault)
              + (fault.getCause() == null ? "" : ", caused by " + Faults.reason(fault.getCause()))
              + " (its stack trace is above)");
    }
    closeAll(err, parts);
    return fault == null ? 0 : 1;
  }

  /** Removes the hook; false when it can no longer be removed, the JVM being on its way out. */
  private static boolean removed(Thread hook) {
    try {
      return Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      return false; // shutting down: the hook runs
    }
  }

  /**
   * Ends the JVM with status 0 from a shutdown hook that has closed everything: a stop that was
   * asked for (SIGTERM from a supervisor, Ctrl-C) and went well is a success, not the 143 the JVM
   * gives a signalled exit. Called last in the hook; nothing is left to run.
   */
  private static void exitAfterRequestedStop() {
    Runtime.getRuntime().halt(0);
  }

  /** Closes each part in order; one that fails to close is reported and the next is closed. */
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
}
