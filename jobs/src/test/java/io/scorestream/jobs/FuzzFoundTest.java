package io.scorestream.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.sde.VpSde;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.SamplerSettings;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What the fuzzing of requests found, each case as it was found, kept as a named test: every one
 * once stopped a service or failed a job with an internal error, and is now refused at intake
 * naming its field.
 */
class FuzzFoundTest {
  private static final ModelInfo PLANE =
      new ModelInfo(
          "gmm",
          "1",
          new VpSde(0.1, 20, 1),
          1e-3,
          new int[] {2},
          DataScaling.IDENTITY,
          0,
          TimeInput.TIME,
          "",
          -1);
  private final RequestChecks checks = new RequestChecks(new RequestChecks.Limits(4096, 1 << 20));

  private static GenerateRequest.Builder ok() {
    return GenerateRequest.newBuilder()
        .setJobId("job-1")
        .setTenant("acme")
        .setModelName("gmm")
        .setNumSamples(2);
  }

  private void assertRefused(String field, GenerateRequest.Builder request) {
    Optional<Problem> p = checks.check(request.build(), PLANE);
    assertTrue(p.isPresent(), "accepted: " + request);
    assertEquals(FailureCode.INVALID_REQUEST, p.get().code(), p.get().message());
    assertEquals(field, p.get().field(), p.get().message());
  }

  @Test
  void correctorStepsNearTheIntLimitAreRefusedNotOverflowedIntoAShortSchedule() {
    // 1 + correctorSteps overflowed to a negative count of planned evaluations, which passed the
    // bound; building the schedule then threw on the scheduler thread (found by SchedulerFuzzTest,
    // case 5815 of seed 20261203)
    assertRefused(
        "sampler.steps",
        ok().setSampler(
                SamplerSettings.newBuilder().setSteps(2).setCorrectorSteps(Integer.MAX_VALUE)));
  }

  @Test
  void unknownEnumNumbersAreRefusedNamingTheirFieldAndNeverBreakASummary() throws Exception {
    // a newer client's sampler kind stopped every worker: JobStates.summary copied it into a
    // builder
    GenerateRequest.Builder newer = ok().setSampler(SamplerSettings.newBuilder().setKindValue(99));
    assertRefused("sampler.kind", newer);
    assertEquals(99, JobStates.summary(newer.build()).getSamplerValue());
    GenerateRequest.Builder deep = ok();
    deep.getConditioningBuilder().getColorizationBuilder().getGrayBuilder().setDtypeValue(-3);
    assertRefused("conditioning.colorization.gray.dtype", deep);
    GenerateRequest shown = JobStates.bounded(newer.build());
    assertEquals(
        Optional.empty(),
        KnownValues.problem(shown),
        "a refused request's events repeat what they can carry");
    JsonFormat.printer().print(shown);
  }

  @Test
  void aSubmissionTimeOutOfRangeIsRefusedAndNotRepeatedInTheEvents() throws Exception {
    // printing it as JSON stopped the gateway's event stream for every tenant
    GenerateRequest.Builder far =
        ok().setSubmittedAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE / 2));
    assertRefused("submittedAt", far);
    GenerateRequest.Builder badNanos = ok().setSubmittedAt(Timestamp.newBuilder().setNanos(-1));
    assertRefused("submittedAt", badNanos);
    JsonFormat.printer().print(JobStates.bounded(far.build()));
    JsonFormat.printer().print(JobStates.summary(far.build()));
  }
}
