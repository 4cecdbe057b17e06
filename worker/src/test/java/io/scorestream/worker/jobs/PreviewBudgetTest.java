package io.scorestream.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A job's previews draw on a bucket of bytes: a burst, a steady rate, and a cap over the job's
 * life.
 */
class PreviewBudgetTest {
  private static final long SECOND = 1_000_000_000L;

  /**
   * How many previews of {@code bytes} the budget sends when asked at {@code perSecond} for {@code
   * seconds}.
   */
  private static int sent(PreviewBudget budget, long bytes, int perSecond, int seconds) {
    int sent = 0;
    for (long i = 0; i < (long) perSecond * seconds; i++) {
      long now = i * SECOND / perSecond;
      if (budget.affords(now, bytes)) {
        budget.spend(bytes);
        sent++;
      }
    }
    return sent;
  }

  @Test
  void smallPreviewsComeInABurstThenAtTheSteadyRate() {
    // 24-byte previews (3 samples of a 2-D model) asked for 10,000 times a second for 10 s: 20 at
    // once, then 20 a second
    int sent = sent(new PreviewBudget(0), 24, 10_000, 10);
    assertEquals(20 + 20 * 10, sent, 2);
  }

  @Test
  void largePreviewsAreHeldToTheByteRate() {
    // 256 KiB previews (32,768 samples of a 2-D model) asked for 1,000 times a second for 10 s:
    // after a burst of 16, four a second (1 MiB/s), instead of 10,000
    int sent = sent(new PreviewBudget(0), 256 << 10, 1000, 10);
    assertEquals(16 + 4 * 10, sent, 5);
  }

  @Test
  void aJobsPreviewsStopAtItsLifetimeCap() {
    PreviewBudget budget = new PreviewBudget(0);
    long mib = 1 << 20;
    int sent = sent(budget, mib, 1, 100);
    assertEquals(PreviewBudget.MAX_BYTES_PER_JOB / mib, sent);
    assertFalse(budget.affords(1000 * SECOND, mib), "however long it waits");
    assertTrue(budget.spent() <= PreviewBudget.MAX_BYTES_PER_JOB);
  }
}
