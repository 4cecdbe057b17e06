package io.scorestream.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Bare progress comes four times a second per job until the worker's budget of events a second is
 * shared out.
 */
class ProgressBudgetTest {
  private static double eventsPerSecond(int jobs) {
    return jobs * 1e9 / ProgressReports.bareProgressGapNanos(jobs);
  }

  @Test
  void fewJobsReportFourTimesASecond() {
    assertEquals(250_000_000L, ProgressReports.bareProgressGapNanos(1));
    assertEquals(250_000_000L, ProgressReports.bareProgressGapNanos(250));
  }

  @Test
  void manyJobsShareTheWorkersBudget() {
    assertEquals(ProgressReports.MAX_BARE_PROGRESS_PER_SECOND, eventsPerSecond(1000), 1e-9);
    assertEquals(ProgressReports.MAX_BARE_PROGRESS_PER_SECOND, eventsPerSecond(8192), 1e-9);
    assertEquals(8.192e9, ProgressReports.bareProgressGapNanos(8192), 1);
  }
}
