package io.scorestream.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.worker.TestModels;
import io.scorestream.worker.models.ModelRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Requests a worker cannot serve are refused before they run, with the reason and the numbers behind it. */
class JobChecksTest {
  private final ModelRegistry models = new ModelRegistry(new OrtRuntime(1, false, line -> { }), 64, 2, line -> { });
  private final JobChecks checks = new JobChecks(models, new Scheduler.Limits("w", 1000, 1_000_000, 4 << 20));

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
    return new Job(request.setJobId("j").build(), 1, 0, () -> { });
  }

  private static GenerateRequest.Builder samples(int n) {
    return GenerateRequest.newBuilder().setModelName("gmm").setNumSamples(n);
  }

  @Test
  void servableRequestPasses() {
    assertNull(checks.problem(job(samples(100))));
    assertNull(checks.problem(job(samples(100).setModelVersion("1"))));
  }

  @Test
  void samplesBeyondTheCapOrNoneAreRefused() {
    assertEquals("num_samples 1000001 is beyond this worker's cap of 1000000",
        checks.problem(job(samples(1_000_001))));
    assertEquals("num_samples must be positive, got 0", checks.problem(job(samples(0))));
  }

  @Test
  void unknownModelOrVersionNamesWhatIsServed() {
    assertEquals("unknown model 'other'", checks.problem(job(samples(1).setModelName("other"))));
    assertEquals("model 'gmm' version 9 is not served; versions 1, 2 are",
        checks.problem(job(samples(1).setModelVersion("9"))));
  }

  @Test
  void resultThatNoEventCanCarryIsRefused() {
    // 2-D samples, 8 bytes each: 600,000 of them are 4.6 MiB, over the 4 MiB limit
    String problem = checks.problem(job(samples(600_000)));
    assertTrue(problem != null && problem.startsWith("the result of 600000 samples would be 4 MiB"), problem);
  }

  @Test
  void requestAndResultTogetherOverTheLimitAreRefused() {
    // 3.8 MiB of samples fits alone; with a 0.5 MiB request the job's state would not
    String tenant = "t".repeat(512 * 1024);
    assertNull(checks.problem(job(samples(500_000))));
    String problem = checks.problem(job(samples(500_000).setTenant(tenant)));
    assertTrue(problem != null && problem.startsWith("the request (0 MiB) and the result of 500000 samples (3 MiB)"),
        problem);
  }
}
