package io.scorestream.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.onnx.OnnxGraphBuilder;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.worker.TestModels;
import io.scorestream.worker.models.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A model call that throws fails the jobs that shared it with a reason, and the scheduler goes on
 * serving the other models (a thrown call used to end the scheduler thread and stop the worker, and
 * every worker the jobs went to next). Real ONNX Runtime models: one that only runs batches of
 * exactly two rows passes the loading trial of two rows and fails on a job of three samples.
 */
class ModelFailureTest {
  private final List<JobEvent> events = new ArrayList<>();
  private final ModelRegistry models = new ModelRegistry(new OrtRuntime(1), 64, 1);

  @AfterEach
  void close() {
    models.close();
  }

  private static byte[] onlyPairs() {
    OnnxGraphBuilder g = new OnnxGraphBuilder("pairs");
    String x = g.input("x", DataType.FLOAT, "N", 2);
    g.input("t", DataType.FLOAT, "N");
    g.output(g.op("Reshape", x, g.longs(2, 2)), "score", DataType.FLOAT, "N", 2);
    return g.build(ModelMetadata.describe(TestModels.info("pairs", "1", 2)));
  }

  private static Job job(String id, String model, int samples) {
    return new Job(
        GenerateRequest.newBuilder()
            .setJobId(id)
            .setTenant("t")
            .setModelName(model)
            .setNumSamples(samples)
            .setSeed(1)
            .setSampler(SamplerSettings.newBuilder().setSteps(20))
            .build(),
        1,
        0,
        () -> {});
  }

  @Test
  void failingModelCallFailsItsJobsAndTheOtherModelGoesOn() {
    assertTrue(models.load(onlyPairs(), "pairs"), "passes the two-row trial");
    models.load(TestModels.standardNormal("gmm", "1", 2), "gmm");
    Scheduler scheduler =
        new Scheduler(
            models,
            (event, state) -> {
              if (event != null) {
                events.add(event);
              }
            },
            new Scheduler.Limits("w", 1000, new RequestChecks.Limits(100, 1 << 20)),
            JobMetrics.NONE);
    scheduler.submit(job("three", "pairs", 3));
    scheduler.submit(job("fine", "gmm", 3));
    for (int round = 0; round < 100; round++) {
      scheduler.iterate();
    }
    JobEvent failed =
        events.stream()
            .filter(e -> e.getJobId().equals("three") && e.hasFailed())
            .findFirst()
            .orElseThrow();
    assertEquals("model_error", failed.getFailed().getCode());
    assertTrue(
        failed.getFailed().getReason().startsWith("model pairs:1 failed to evaluate: "),
        failed.getFailed().getReason());
    assertTrue(events.stream().anyMatch(e -> e.getJobId().equals("fine") && e.hasCompleted()));
    assertEquals(0, scheduler.activeJobs());
  }
}
