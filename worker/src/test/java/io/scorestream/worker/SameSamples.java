package io.scorestream.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.jobs.JobCodec;
import io.scorestream.proto.v1.GenerateRequest;
import java.util.List;

/**
 * "The same samples" across batch compositions. A job's noise and arithmetic do not depend on its
 * batch-mates, but ONNX Runtime's vectorised kernels may round a row by a float32 ulp differently
 * by its position in the batch, and a trajectory passing near the boundary between modes stretches
 * such differences (seen: up to 2.3e-5 after 121 steps). Another job's noise, or another seed,
 * moves samples by order 1, so an absolute tolerance of 1e-3 still tells "same noise, other
 * rounding" from "other noise" by three orders of magnitude.
 */
final class SameSamples {
  static final double TOLERANCE = 1e-3;

  private SameSamples() {}

  static void assertSame(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": sample count");
    for (int i = 0; i < expected.length; i++) {
      float e = expected[i];
      float a = actual[i];
      int index = i;
      assertTrue(
          Math.abs(e - a) <= TOLERANCE,
          () -> what + ": value " + index + " is " + a + ", alone it is " + e);
    }
  }

  /**
   * The samples core gives an unconditional request's job run alone, the reference to compare to.
   */
  static float[] alone(ScoreModel model, GenerateRequest request) {
    SamplingProcess p =
        Samplers.start(
            JobCodec.samplerSpec(request.getSampler()),
            model.info(),
            request.getNumSamples(),
            request.getSeed(),
            null);
    new BatchEvaluator(model, 4096).runToCompletion(List.of(p), () -> {});
    return p.result();
  }
}
