package io.scorestream.cli;

import io.scorestream.core.sample.StepProgress;
import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr with step, NFE and samples per second, redrawn at most ten
 * times a second.
 */
final class ProgressBar {
  private static final int WIDTH = 30;
  private final PrintWriter err;
  private final int samples;
  private final long start = System.nanoTime();
  private long lastDraw;
  private boolean midLine;

  ProgressBar(PrintWriter err, int samples) {
    this.err = err;
    this.samples = samples;
  }

  void update(StepProgress p) {
    long now = System.nanoTime();
    if (now - lastDraw < 100_000_000L) {
      return;
    }
    lastDraw = now;
    draw(p, now);
  }

  /**
   * Ends the bar's line without a final draw (the job failed or was cancelled), so a message can
   * follow.
   */
  void abandon() {
    if (midLine) {
      err.println();
      err.flush();
      midLine = false;
    }
  }

  void finish(StepProgress p) {
    draw(p, System.nanoTime());
    err.println();
    midLine = false;
  }

  private void draw(StepProgress p, long now) {
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    int filled = (int) Math.round(p.fraction() * WIDTH);
    String steps =
        p.totalSteps() > 0 ? p.step() + "/" + p.totalSteps() : Integer.toString(p.step());
    err.printf(
        "\r[%s%s] %3.0f%% step %s t=%.4f NFE %d %.1f samples/s",
        "=".repeat(filled),
        " ".repeat(WIDTH - filled),
        100 * p.fraction(),
        steps,
        p.t(),
        p.nfe(),
        samples * p.fraction() / seconds);
    err.flush();
    midLine = true;
  }
}
