package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.SdeKind;
import io.scorestream.core.sde.VpSde;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Jobs with equal PC settings share one schedule, within a bounded cache, and sample exactly as
 * without it.
 */
class PcSchedulesTest {
  private static final Sde VP = new VpSde(0.1, 20, 1);

  private static SamplerSpec.Builder pc(int steps) {
    return SamplerSpec.builder().steps(steps);
  }

  @Test
  void equalSettingsShareOneScheduleWhateverTheirSnr() {
    PcSchedules schedules = new PcSchedules(100_000);
    PcSchedule first = schedules.get(VP, pc(100).snr(0.16).build(), 1e-3);
    assertSame(
        first,
        schedules.get(VP, pc(100).snr(0.3).build(), 1e-3),
        "the snr is read as the corrector runs");
    assertSame(first, schedules.get(new VpSde(0.1, 20, 1), pc(100).build(), 1e-3), "an equal SDE");
    assertEquals(1, schedules.size());
    assertEquals(2, schedules.hits());
  }

  @Test
  void anythingTheScheduleDependsOnGivesItsOwn() {
    PcSchedules schedules = new PcSchedules(100_000);
    PcSchedule base = schedules.get(VP, pc(100).build(), 1e-3);
    assertNotSame(base, schedules.get(VP, pc(101).build(), 1e-3));
    assertNotSame(base, schedules.get(VP, pc(100).build(), 1e-4));
    assertNotSame(base, schedules.get(new VpSde(0.1, 19, 1), pc(100).build(), 1e-3));
    assertNotSame(
        base, schedules.get(VP, pc(100).predictor(PredictorKind.ANCESTRAL).build(), 1e-3));
    assertNotSame(base, schedules.get(VP, pc(100).correctorSteps(2).build(), 1e-3));
    assertNotSame(base, schedules.get(VP, pc(100).predictorFirst(true).build(), 1e-3));
    assertEquals(0, schedules.hits());
  }

  @Test
  void cacheHoldsAtMostItsBudgetOfStepsDroppingTheLeastRecentlyUsed() {
    PcSchedules schedules =
        new PcSchedules(500); // 100 steps with one corrector step: 200 evaluations each
    PcSchedule a = schedules.get(VP, pc(100).build(), 1e-3);
    schedules.get(VP, pc(100).build(), 2e-3);
    schedules.get(VP, pc(100).build(), 1e-3); // a is used again, so the 2e-3 one is older
    schedules.get(VP, pc(100).build(), 3e-3); // over budget: out goes 2e-3
    assertEquals(2, schedules.size());
    assertSame(a, schedules.get(VP, pc(100).build(), 1e-3));
    assertEquals(2, schedules.size());
    schedules.get(VP, pc(1000).build(), 1e-3); // larger than the whole budget: used, never kept
    assertEquals(2, schedules.size());
    assertEquals(0, PcSchedules.none().size());
  }

  @Test
  void sharedScheduleGivesTheSamplesOfAnOwnOne() {
    try (ScoreModel model = TestMixtures.model(new OrtRuntime(1), SdeKind.VP)) {
      PcSchedules schedules = new PcSchedules(100_000);
      SamplerSpec spec = pc(60).build();
      SamplingProcess own = Samplers.start(spec, model.info(), 8, 5, null);
      SamplingProcess sharedA = Samplers.start(spec, model.info(), 8, 5, null, schedules);
      SamplingProcess sharedB = Samplers.start(spec, model.info(), 3, 6, null, schedules);
      new BatchEvaluator(model, 64).runToCompletion(List.of(own, sharedA, sharedB), () -> {});
      assertEquals(1, schedules.hits());
      assertArrayEquals(own.result(), sharedA.result(), 1e-6f);
      assertEquals(own.nfe(), sharedA.nfe());
    }
  }
}
