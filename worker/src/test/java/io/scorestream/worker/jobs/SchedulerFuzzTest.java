package io.scorestream.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.jobs.FailureCode;
import io.scorestream.jobs.JobStates;
import io.scorestream.jobs.KnownValues;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.jobs.fuzz.FuzzModels;
import io.scorestream.jobs.fuzz.MessageFuzz;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.testkit.logging.LogRecords;
import io.scorestream.worker.models.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.slf4j.event.Level;

/**
 * Hostile requests through the worker's own path after the codec and the intake: the request
 * checks, the scheduler's start of each sampler, task and inverse problem, its steps, progress and
 * result, and the events and states it builds for them, on real ONNX models. Each case is a valid
 * request of {@code FuzzBases} with one to four fields given hostile values (or its bytes damaged);
 * whatever it holds, it ends with exactly one final event after an unbroken run of sequence
 * numbers, every event and state prints as protobuf JSON (the gateway's mapping), a fault of the
 * worker's own shows as {@code internal} and is counted, and the scheduler goes on. A case still
 * running after {@value #ROUNDS} model calls is cancelled, as its owner could.
 */
@Tag("slow")
class SchedulerFuzzTest {
  private static final int ROUNDS = 40;
  private static final JsonFormat.Printer JSON = JsonFormat.printer();
  private static ModelRegistry models;
  private static Scheduler scheduler;
  private static final List<JobEvent> events = new ArrayList<>();
  private static final List<JobState> states = new ArrayList<>();
  private static final List<GenerateRequest> BASES = FuzzModels.BASES.requests("base");
  private static int cases;

  @BeforeContainer
  static void start() {
    models = new ModelRegistry(new OrtRuntime(1), 256, 1);
    for (Map.Entry<String, byte[]> m : FuzzModels.all().entrySet()) {
      assertTrue(models.load(m.getValue(), m.getKey()), m.getKey());
    }
    scheduler =
        new Scheduler(
            models,
            (event, state) -> {
              if (event != null) {
                events.add(event);
              }
              if (state != null) {
                states.add(state);
              }
            },
            new Scheduler.Limits("w", 4096, new RequestChecks.Limits(64, 1 << 20)),
            JobMetrics.NONE);
  }

  @AfterContainer
  static void stop() {
    models.close();
  }

  @Provide
  Arbitrary<GenerateRequest> hostile() {
    return Arbitraries.longs()
        .withoutEdgeCases()
        .map(
            seed -> {
              MessageFuzz fuzz = new MessageFuzz(seed);
              GenerateRequest base = BASES.get(fuzz.random().nextInt(BASES.size()));
              if (fuzz.random().nextInt(8) == 0) {
                try {
                  return GenerateRequest.parseFrom(fuzz.corrupt(base.toByteArray()));
                } catch (InvalidProtocolBufferException e) {
                  return fuzz.mutate(
                      base); // bytes that are no request never reach the scheduler: the intake
                  // letters them
                }
              }
              return fuzz.mutate(base);
            });
  }

  @Property(seed = "20261203")
  void everyHostileRequestEndsWithOneFinalEventAndPrintableRecords(
      @ForAll("hostile") GenerateRequest fuzzed) throws Exception {
    try (LogRecords.Capture faults = LogRecords.capture(Scheduler.class)) {
      check(fuzzed, faults);
    }
  }

  private void check(GenerateRequest fuzzed, LogRecords.Capture faults) throws Exception {
    // the intake hands the scheduler only records whose job id is one; the id is the case's own, so
    // that no case is taken for another's second delivery
    String id = "case-" + cases++;
    GenerateRequest request = fuzzed.toBuilder().setJobId(id).build();
    events.clear();
    states.clear();
    AtomicInteger finals = new AtomicInteger();
    scheduler.submit(new Job(request, 1, 0, finals::incrementAndGet));
    for (int round = 0; round < ROUNDS && finals.get() == 0; round++) {
      scheduler.iterate();
    }
    if (finals.get() == 0) {
      scheduler.cancel(id, request.getTenant(), "fuzz: long enough");
      for (int round = 0; round < 3 && finals.get() == 0; round++) {
        scheduler.iterate();
      }
    }
    assertEquals(1, finals.get(), "the job ended once: " + events);
    List<JobEvent> ends = events.stream().filter(JobStates::isFinal).toList();
    assertEquals(1, ends.size(), "one final event: " + events);
    assertTrue(JobStates.isFinal(events.get(events.size() - 1)), "and it came last");
    for (int i = 0; i < events.size(); i++) {
      JobEvent e = events.get(i);
      assertEquals(id, e.getJobId());
      assertEquals(i, e.getSequence(), "sequence numbers run unbroken from 0");
      assertTrue(
          KnownValues.problem(e).isEmpty(), () -> "event carries what this build cannot: " + e);
      JSON.print(e);
    }
    for (JobState s : states) {
      assertTrue(
          KnownValues.problem(s).isEmpty(), () -> "state carries what this build cannot: " + s);
      JSON.print(s);
    }
    assertTrue(
        JobStates.isFinal(states.get(states.size() - 1).getStatus()), "the last state is final");
    JobEvent end = ends.get(0);
    // a fault of the worker's own fails the case alone, but it is still a fault: what it found
    // becomes a check
    assertEquals(List.of(), faults.texts(Level.ERROR), "faults of the worker's own");
    assertTrue(
        !end.hasFailed() || !end.getFailed().getCode().equals(FailureCode.INTERNAL.wire()),
        end::toString);
  }
}
