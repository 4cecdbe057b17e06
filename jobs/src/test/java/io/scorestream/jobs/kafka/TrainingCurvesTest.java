package io.scorestream.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.proto.v1.TrainingMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A curve stays bounded, keeps its checkpoints, and starts over with a new run. */
class TrainingCurvesTest {
  private static TrainingMetrics loss(String model, long step) {
    return TrainingMetrics.newBuilder()
        .setModelName(model)
        .setStep(step)
        .setLoss(1.0 / step)
        .build();
  }

  @Test
  void aLongCurveIsThinnedInItsOlderHalfButKeepsEveryCheckpoint() {
    TrainingCurves.Book curves = new TrainingCurves.Book();
    for (long step = 100; step <= 1_000_000; step += 100) {
      curves.add(
          step % 10_000 == 0
              ? loss("m", step).toBuilder().setVersion(Long.toString(step)).build()
              : loss("m", step));
    }
    List<TrainingMetrics> curve = curves.curve("m");
    assertTrue(curve.size() <= TrainingCurves.MAX_POINTS, "bounded: " + curve.size());
    assertEquals(
        100,
        curve.stream().filter(p -> !p.getVersion().isEmpty()).count(),
        "all 100 checkpoints kept");
    assertEquals(1_000_000, curve.get(curve.size() - 1).getStep(), "the newest point is there");
    assertEquals(100, curve.get(0).getStep(), "so is the first");
    for (int i = 1; i < curve.size(); i++) {
      assertTrue(curve.get(i).getStep() > curve.get(i - 1).getStep(), "in step order");
    }
  }

  @Test
  void aRunThatStartsOverReplacesTheCurveAndModelsAreApart() {
    TrainingCurves.Book curves = new TrainingCurves.Book();
    curves.add(loss("a", 100));
    curves.add(loss("a", 200));
    curves.add(loss("b", 100));
    curves.add(loss("a", 100));
    assertEquals(1, curves.curve("a").size());
    assertEquals(1, curves.curve("b").size());
    assertEquals(List.of("a", "b"), curves.models());
    assertEquals(List.of(), curves.curve("c"));
  }
}
