package io.scorestream.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A job's previews draw on a bucket of bytes: a burst, a steady rate, and a cap over the job's life. */
class PreviewBudgetTest {
  private static final long SECOND = 1_000_000_000L;

  /** How many previews of {@code bytes} the budget sends when asked at {@code perSecond} for {@code seconds}. */
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
    // 24-byte previews (3 samples of a 2-D model) cost the minimum, 4 KiB: 1,024 at once, then 256 a second
    int sent = sent(new PreviewBudget(0), 24, 10_000, 10);
    assertEquals(1024 + 256 * 10, sent, 260);
  }

  @Test
  void largePreviewsAreHeldToTheByteRate() {
    // 32 KiB previews (4,096 samples of a 2-D model) asked for 1,000 times a second for 10 s: 64 of them a second
    // after a burst of 128, instead of 10,000
    int sent = sent(new PreviewBudget(0), 32 << 10, 1000, 10);
    assertEquals(128 + 32 * 10, sent, 33);
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
