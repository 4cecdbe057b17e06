package io.scorestream.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.worker.TestModels;
import io.scorestream.worker.models.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The order in which the job consumer hands the scheduler jobs and abandons is the order they take
 * effect, and a job id the scheduler already holds is served once, whatever number of records carry
 * it. Runs the real scheduler over a real ONNX model, on the test thread, round by round.
 */
class SchedulerInboxTest {
  private final List<JobEvent> events = new ArrayList<>();
  private ModelRegistry models;
  private Scheduler scheduler;

  @BeforeEach
  void start() {
    models = new ModelRegistry(new OrtRuntime(1), 1024, 1);
    assertTrue(models.load(TestModels.standardNormal("gmm", "1", 2), "gmm"));
    scheduler =
        new Scheduler(
            models,
            (event, state) -> {
              if (event != null) {
                events.add(event);
              }
            },
            new Scheduler.Limits("w", 1000, new RequestChecks.Limits(100, 1 << 20)),
            JobMetrics.NONE);
  }

  @AfterEach
  void stop() {
    models.close();
  }

  private static Job job(String id, int attempt, AtomicInteger finals) {
    GenerateRequest request =
        GenerateRequest.newBuilder()
            .setJobId(id)
            .setTenant("t")
            .setModelName("gmm")
            .setNumSamples(2)
            .setSeed(7)
            .setSampler(SamplerSettings.newBuilder().setSteps(20))
            .build();
    return new Job(request, attempt, attempt == 1 ? 0 : 100, finals::incrementAndGet);
  }

  private void runToEnd() {
    for (int round = 0; round < 1000 && (scheduler.activeJobs() > 0 || round == 0); round++) {
      scheduler.iterate();
    }
    assertEquals(0, scheduler.activeJobs(), "every job ran to its end");
  }

  private List<JobEvent> completed() {
    return events.stream().filter(JobEvent::hasCompleted).toList();
  }

  @Test
  void jobDeliveredAgainAfterItsAbandonRunsAsTheNewAttempt() {
    AtomicInteger finals = new AtomicInteger();
    scheduler.submit(job("a", 1, finals));
    scheduler.iterate();
    scheduler.iterate();
    assertEquals(1, scheduler.activeJobs());
    // the partition went away and came back before the scheduler's next round
    scheduler.abandon(Set.of("a"));
    scheduler.submit(job("a", 2, finals));
    runToEnd();
    assertEquals(1, completed().size(), "the job delivered again completes");
    assertEquals(2, completed().get(0).getAttempt(), "as the new attempt");
    assertEquals(
        1, finals.get(), "the abandoned delivery is not finished: another worker may hold it");
  }

  @Test
  void abandonIsConfirmedAtTheNextRoundAndNothingIsSentForTheJobAfterIt() {
    AtomicInteger finals = new AtomicInteger();
    scheduler.submit(job("a", 1, finals));
    scheduler.submit(job("b", 1, finals));
    scheduler.iterate();
    var abandoned = scheduler.abandon(Set.of("a"));
    assertFalse(abandoned.isDone(), "the scheduler has not had a round since");
    scheduler.iterate();
    assertTrue(abandoned.isDone());
    int sentForA = (int) events.stream().filter(e -> e.getJobId().equals("a")).count();
    runToEnd();
    assertEquals(
        sentForA,
        events.stream().filter(e -> e.getJobId().equals("a")).count(),
        "nothing more for a");
    assertEquals(1, completed().size(), "b went on");
    assertEquals("b", completed().get(0).getJobId());
  }

  @Test
  void abandonAfterTheSchedulerStoppedIsConfirmedAtOnce() throws Exception {
    Thread loop = new Thread(scheduler);
    loop.start();
    scheduler.stop();
    loop.join(10_000);
    assertTrue(scheduler.abandon(Set.of("a")).isDone());
  }

  @Test
  void secondRecordOfAJobAlreadyHereIsServedOnce() {
    AtomicInteger finals = new AtomicInteger();
    scheduler.submit(job("a", 1, finals));
    scheduler.iterate();
    scheduler.submit(job("a", 1, finals));
    runToEnd();
    assertEquals(1, completed().size(), "completed once");
    assertEquals(1, events.stream().filter(JobEvent::hasStarted).count(), "started once");
    assertEquals(2, finals.get(), "both records are done with, so both offsets can be committed");
  }

  @Test
  void sameIdCanRunAgainOnceTheFirstHasFinished() {
    AtomicInteger finals = new AtomicInteger();
    scheduler.submit(job("a", 1, finals));
    runToEnd();
    scheduler.submit(job("a", 2, finals));
    runToEnd();
    assertEquals(
        2,
        completed().size(),
        "what runs again after finishing is the job consumer's call, not held here");
  }
}
