package io.scorestream.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.jobs.FailureCode;
import io.scorestream.jobs.Problem;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.worker.TestModels;
import io.scorestream.worker.models.ModelRegistry;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests a worker cannot serve are refused when they arrive, with a code, the field and the
 * numbers behind it.
 */
class JobChecksTest {
  private final ModelRegistry models = new ModelRegistry(new OrtRuntime(1), 64, 2);
  private final JobChecks checks =
      new JobChecks(models, new RequestChecks(new RequestChecks.Limits(1_000_000, 4 << 20)));

  JobChecksTest() {
    for (String version : new String[] {"1", "2"}) {
      models.load(TestModels.standardNormal("gmm", version, 2), "gmm");
    }
  }

  @AfterEach
  void close() {
    models.close();
  }

  private static Job job(GenerateRequest.Builder request) {
    return new Job(request.setJobId("j").setTenant("t").build(), 1, 0, () -> {});
  }

  private static GenerateRequest.Builder samples(int n) {
    return GenerateRequest.newBuilder().setModelName("gmm").setNumSamples(n);
  }

  private Problem problem(GenerateRequest.Builder request) {
    return checks.problem(job(request)).orElseThrow(() -> new AssertionError("no problem found"));
  }

  @Test
  void servableRequestPasses() {
    assertEquals(Optional.empty(), checks.problem(job(samples(100))));
    assertEquals(Optional.empty(), checks.problem(job(samples(100).setModelVersion("1"))));
  }

  @Test
  void samplesBeyondTheCapOrNoneAreRefused() {
    Problem over = problem(samples(1_000_001));
    assertEquals(FailureCode.TOO_LARGE, over.code());
    assertEquals("numSamples", over.field());
    assertTrue(over.message().contains("1000001 is over the limit of 1000000"), over.message());
    Problem none = problem(samples(0));
    assertEquals(
        new Problem(
            FailureCode.INVALID_REQUEST, "numSamples", "numSamples must be positive, got 0"),
        none);
  }

  @Test
  void unknownModelOrVersionNamesWhatIsServed() {
    assertEquals(
        new Problem(
            FailureCode.UNKNOWN_MODEL,
            "modelName",
            "unknown model 'other': no worker in the fleet serves it"),
        problem(samples(1).setModelName("other")));
    assertEquals(
        new Problem(
            FailureCode.UNKNOWN_MODEL,
            "modelVersion",
            "model 'gmm' version 9 is not served; versions 1, 2 are"),
        problem(samples(1).setModelVersion("9")));
  }

  @Test
  void resultThatNoEventCanCarryIsRefused() {
    // 2-D samples, 8 bytes each: 600,000 of them are 4.6 MiB, over the 4 MiB limit
    Problem p = problem(samples(600_000));
    assertEquals(FailureCode.TOO_LARGE, p.code());
    assertTrue(
        p.message().startsWith("the result of 600000 samples of gmm would be 4 MiB"), p.message());
  }

  @Test
  void settingsThatDoNotFitTheModelAreRefusedOnArrival() {
    GenerateRequest.Builder labelled = samples(2);
    labelled.getConditioningBuilder().getClassLabelsBuilder().addLabels(3);
    Problem p = problem(labelled);
    assertEquals("conditioning.classLabels.labels", p.field());
    assertTrue(p.message().contains("unconditional"), p.message());
  }
}
