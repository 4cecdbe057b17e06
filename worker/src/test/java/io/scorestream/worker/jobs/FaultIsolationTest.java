package io.scorestream.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.testkit.logging.LogCapture;
import io.scorestream.worker.TestModels;
import io.scorestream.worker.models.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.event.Level;

/**
 * A fault of the worker's own in one job's handling fails that job alone, with {@code internal}, a
 * reason naming the stage, one log entry with the stack trace and a count in the metrics, and the
 * scheduler serves every other job.
 */
class FaultIsolationTest {
  @RegisterExtension final LogCapture log = new LogCapture("io.scorestream");

  private static Job job(String id, AtomicInteger finals) {
    return new Job(
        GenerateRequest.newBuilder()
            .setJobId(id)
            .setTenant("t")
            .setModelName("gmm")
            .setNumSamples(2)
            .setSeed(3)
            .setSampler(SamplerSettings.newBuilder().setSteps(20))
            .build(),
        1,
        0,
        finals::incrementAndGet);
  }

  @Test
  void aFaultWhileStartingOneJobFailsItAloneAndTheOthersComplete() {
    List<JobEvent> events = new ArrayList<>();
    List<String> faults = new ArrayList<>();
    try (ModelRegistry models = new ModelRegistry(new OrtRuntime(1), 64, 1)) {
      assertTrue(models.load(TestModels.standardNormal("gmm", "1", 2), "gmm"));
      // a sink that fails on one job's started event, as a bug in building that event would
      EventSink sink =
          (event, state) -> {
            if (event != null && event.getJobId().equals("boom") && event.hasStarted()) {
              throw new IllegalStateException("a bug in building the started event");
            }
            if (event != null) {
              events.add(event);
            }
          };
      JobMetrics metrics =
          new JobMetrics() {
            @Override
            public void modelCalls(
                String model, long calls, long rows, long capacity, long nanos) {}

            @Override
            public void finished(
                io.scorestream.proto.v1.JobStatus status, int samples, long queued, long run) {}

            @Override
            public void failed(String code) {}

            @Override
            public void fault(String stage) {
              faults.add(stage);
            }
          };
      Scheduler scheduler =
          new Scheduler(
              models,
              sink,
              new Scheduler.Limits("w", 100, new RequestChecks.Limits(100, 1 << 20)),
              metrics);
      AtomicInteger finals = new AtomicInteger();
      scheduler.submit(job("before", finals));
      scheduler.submit(job("boom", finals));
      scheduler.submit(job("after", finals));
      for (int round = 0; round < 200 && finals.get() < 3; round++) {
        scheduler.iterate();
      }
      assertEquals(3, finals.get(), "every job ended: " + events);
      JobEvent failed =
          events.stream()
              .filter(e -> e.getJobId().equals("boom") && e.hasFailed())
              .findFirst()
              .orElseThrow();
      assertEquals("internal", failed.getFailed().getCode());
      assertTrue(
          failed.getFailed().getReason().contains("starting it"), failed.getFailed().getReason());
      assertTrue(failed.getFailed().getReason().contains("a bug in building the started event"));
      for (String other : List.of("before", "after")) {
        assertTrue(
            events.stream().anyMatch(e -> e.getJobId().equals(other) && e.hasCompleted()), other);
      }
      assertEquals(List.of("starting it"), faults);
      List<String> logged = log.texts(Level.ERROR);
      assertEquals(1, logged.size(), log.toString());
      assertTrue(
          logged.get(0).contains("IllegalStateException") && logged.get(0).contains("\tat "),
          "logged with its stack trace: " + logged.get(0));
    }
  }
}
