package io.scorestream.jobs.cli;

import io.scorestream.jobs.Faults;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a long-running service command lives: until the JVM is asked to stop (Ctrl-C, SIGTERM) or the
 * service ends by itself, then closes its parts. Shared by the worker, gateway, trainer and {@code
 * dev} commands, so that each stops the same way and with the same exit codes.
 *
 * <p>A command begins its life ({@link #begin}) once its arguments are checked and before it starts
 * anything ({@link #start}), so a stop asked for at any moment after that, even before the service
 * says it is ready, ends it with status 0: a supervisor may send SIGTERM as soon as it sees the
 * ready line.
 */
public final class ServiceLife {
  private final PrintWriter err;
  private final String name;
  private final AtomicBoolean asked = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread hook;
  private volatile Runnable drain = () -> {};
  private volatile AutoCloseable[] parts = {};

  private ServiceLife(PrintWriter err, String name) {
    this.err = err;
    this.name = name;
    this.hook =
        new Thread(
            () -> {
              asked.set(true);
              err.println("stopping");
              err.flush();
              drain.run();
              closeAll();
              closed.countDown();
              exitAfterRequestedStop();
            },
            "shutdown");
  }

  /**
   * Begins a service command's life: from now on Ctrl-C or SIGTERM closes what {@link
   * #runUntilStopped} is given (nothing while it starts) and ends the JVM with 0.
   *
   * @param name the service as messages name it, "the worker"
   */
  public static ServiceLife begin(PrintWriter err, String name) {
    ServiceLife life = new ServiceLife(err, name);
    Runtime.getRuntime().addShutdownHook(life.hook);
    return life;
  }

  /**
   * Runs the service's start-up and returns what it made; a start-up that fails ends this life (a
   * refusal must end the JVM with its own status, not with a requested stop's 0) and is rethrown.
   */
  public <T> T start(Callable<T> startUp) throws Exception {
    try {
      return startUp.call();
    } catch (Exception | Error e) {
      removed();
      throw e;
    }
  }

  /**
   * Blocks until the JVM is asked to stop, then closes {@code parts} in order: a service that ends
   * only when stopped (the gateway). Returns 0.
   */
  public int runUntilStopped(AutoCloseable... parts) throws InterruptedException {
    return runUntilStopped(new CompletableFuture<>(), () -> {}, parts);
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
   * @param ended completes when the service has stopped: with null, or with the fatal fault
   */
  public int runUntilStopped(
      CompletionStage<Throwable> ended, Runnable drain, AutoCloseable... parts)
      throws InterruptedException {
    this.drain = drain;
    this.parts = parts;
    Throwable fault = ended.toCompletableFuture().join();
    if (asked.get() || !removed()) {
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
    closeAll();
    return fault == null ? 0 : 1;
  }

  /** Removes the hook; false when it can no longer be removed, the JVM being on its way out. */
  private boolean removed() {
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
  private void closeAll() {
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
