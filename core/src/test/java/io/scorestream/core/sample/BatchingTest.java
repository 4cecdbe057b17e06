package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.onnx.OnnxGraphBuilder;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.SdeKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Jobs sharing model calls: a job's samples do not depend on its batch-mates, NFE is counted
 * exactly, and a job that blows up fails alone.
 *
 * <p>No operation of the analytic mixture graph mixes rows, but ONNX Runtime's vectorised kernels
 * may round a row differently by its position in the batch (one float32 ulp, seen in the worker's
 * integration test), so the comparison allows 1e-6: far below any difference a batch-mate's noise
 * would make.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchingTest {
  private final OrtRuntime runtime = new OrtRuntime(1);
  private final ScoreModel ve = TestMixtures.model(runtime, SdeKind.VE);
  private final ScoreModel vp = TestMixtures.model(runtime, SdeKind.VP);

  @AfterAll
  void close() {
    ve.close();
    vp.close();
  }

  private static float[] alone(ScoreModel model, SamplerSpec spec, int samples, long seed) {
    SamplingProcess p = Samplers.start(spec, model.info(), samples, seed, null);
    new BatchEvaluator(model, 4096).runToCompletion(List.of(p), () -> {});
    return p.result();
  }

  @Test
  void jobGivesIdenticalSamplesAloneAndInsideAMixedBatch() {
    SamplerSpec target = SamplerSpec.builder().steps(200).build();
    float[] expected = alone(ve, target, 16, 42);

    List<SamplingProcess> batch = new ArrayList<>();
    batch.add(
        Samplers.start(
            SamplerSpec.builder().steps(50).predictor(PredictorKind.ANCESTRAL).build(),
            ve.info(),
            7,
            1,
            null));
    batch.add(
        Samplers.start(
            SamplerSpec.builder().kind(SamplerKind.ODE).rtol(1e-3).atol(1e-3).build(),
            ve.info(),
            33,
            2,
            null));
    SamplingProcess mine = Samplers.start(target, ve.info(), 16, 42, null);
    batch.add(mine);
    batch.add(
        Samplers.start(
            SamplerSpec.builder().kind(SamplerKind.ALD).steps(30).build(), ve.info(), 5, 3, null));
    BatchEvaluator evaluator = new BatchEvaluator(ve, 40);
    int joined = 0;
    while (batch.stream().anyMatch(p -> !p.finished())) {
      evaluator.step(batch);
      if (++joined == 25) {
        // a job joining mid-way changes the batch composition again
        batch.add(Samplers.start(SamplerSpec.builder().steps(100).build(), ve.info(), 9, 4, null));
      }
    }
    assertArrayEquals(expected, mine.result(), 1e-6f);
  }

  @Test
  void dpmSolverJobsGiveIdenticalSamplesAloneAndAmongOtherSamplers() {
    SamplerSpec ode = SamplerSpec.builder().kind(SamplerKind.DPM_SOLVER).order(3).build();
    SamplerSpec sde =
        SamplerSpec.builder().kind(SamplerKind.DPM_SOLVER).stochastic(true).steps(20).build();
    float[] expectedOde = alone(vp, ode, 12, 5);
    float[] expectedSde = alone(vp, sde, 10, 6);
    SamplingProcess mineOde = Samplers.start(ode, vp.info(), 12, 5, null);
    SamplingProcess mineSde = Samplers.start(sde, vp.info(), 10, 6, null);
    List<SamplingProcess> batch = new ArrayList<>();
    batch.add(Samplers.start(SamplerSpec.builder().steps(40).build(), vp.info(), 9, 1, null));
    batch.add(mineOde);
    batch.add(
        Samplers.start(
            SamplerSpec.builder().kind(SamplerKind.ODE).rtol(1e-3).atol(1e-3).build(),
            vp.info(),
            7,
            2,
            null));
    batch.add(mineSde);
    new BatchEvaluator(vp, 24).runToCompletion(batch, () -> {});
    assertArrayEquals(expectedOde, mineOde.result(), 1e-6f);
    assertArrayEquals(expectedSde, mineSde.result(), 1e-6f);
    assertEquals(31, mineOde.nfe(), "30 steps and the final denoising");
    assertEquals(21, mineSde.nfe());
    assertTrue(
        alone(vp, sde, 10, 6)[0] != alone(vp, sde, 10, 7)[0], "the noise comes from the seed");
  }

  @Test
  void edmJobsWithChurnGiveIdenticalSamplesAloneAndAmongOtherSamplers() {
    SamplerSpec edm = SamplerSpec.builder().kind(SamplerKind.EDM).churn(5).steps(12).build();
    float[] expected = alone(ve, edm, 11, 8);
    SamplingProcess mine = Samplers.start(edm, ve.info(), 11, 8, null);
    List<SamplingProcess> batch = new ArrayList<>();
    batch.add(Samplers.start(SamplerSpec.builder().steps(30).build(), ve.info(), 6, 1, null));
    batch.add(mine);
    batch.add(
        Samplers.start(
            SamplerSpec.builder().kind(SamplerKind.DPM_SOLVER).build(), ve.info(), 5, 2, null));
    new BatchEvaluator(ve, 16).runToCompletion(batch, () -> {});
    assertArrayEquals(expected, mine.result(), 1e-6f);
    assertEquals(2 * 12 - 1, mine.nfe(), "two evaluations a step and the final denoising");
  }

  @Test
  void sameSeedGivesSameSamplesAndAnotherSeedDoesNot() {
    SamplerSpec spec = SamplerSpec.builder().steps(50).build();
    assertArrayEquals(alone(vp, spec, 8, 7), alone(vp, spec, 8, 7));
    assertTrue(alone(vp, spec, 8, 7)[0] != alone(vp, spec, 8, 8)[0]);
  }

  @Test
  void nfeCountsEveryScoreEvaluation() {
    SamplingProcess pc =
        Samplers.start(
            SamplerSpec.builder().steps(100).correctorSteps(3).build(), vp.info(), 4, 1, null);
    SamplingProcess predictorOnly =
        Samplers.start(
            SamplerSpec.builder().steps(100).corrector(CorrectorKind.NONE).build(),
            vp.info(),
            4,
            1,
            null);
    SamplingProcess paperOrder =
        Samplers.start(
            SamplerSpec.builder().steps(100).correctorSteps(2).predictorFirst(true).build(),
            vp.info(),
            4,
            1,
            null);
    SamplingProcess rk4 =
        Samplers.start(
            SamplerSpec.builder().kind(SamplerKind.ODE).odeMethod(OdeMethod.RK4).steps(25).build(),
            vp.info(),
            4,
            1,
            null);
    SamplingProcess ald =
        Samplers.start(
            SamplerSpec.builder().kind(SamplerKind.ALD).levels(5).steps(7).build(),
            ve.info(),
            4,
            1,
            null);
    BatchEvaluator evaluator = new BatchEvaluator(vp, 64);
    evaluator.runToCompletion(List.of(pc, predictorOnly, paperOrder, rk4), () -> {});
    new BatchEvaluator(ve, 64).runToCompletion(List.of(ald), () -> {});
    assertEquals(100 * (3 + 1), pc.nfe());
    assertEquals(100, predictorOnly.nfe());
    assertEquals(100 + 99 * 2, paperOrder.nfe());
    assertEquals(25 * 4 + 1, rk4.nfe(), "four stages a step plus the denoising step");
    assertEquals(5 * 7 + 1, ald.nfe());
    assertEquals(400, evaluator.modelCalls(), "the longest job sets the number of shared calls");
  }

  @Test
  void adaptiveOdeTakesFewerEvaluationsAtLooserTolerances() {
    long previous = Long.MAX_VALUE;
    for (double tol : new double[] {1e-6, 1e-5, 1e-4, 1e-3, 1e-2}) {
      SamplingProcess p =
          Samplers.start(
              SamplerSpec.builder().kind(SamplerKind.ODE).rtol(tol).atol(tol).build(),
              vp.info(),
              64,
              3,
              null);
      new BatchEvaluator(vp, 64).runToCompletion(List.of(p), () -> {});
      assertNull(p.failure());
      assertTrue(
          p.nfe() < previous,
          "rtol " + tol + " took " + p.nfe() + " evaluations, not fewer than " + previous);
      previous = p.nfe();
    }
  }

  @Test
  void nonFiniteSampleFailsOnlyItsOwnJobAndNamesTheStep() {
    SamplerSpec healthy = SamplerSpec.builder().steps(100).build();
    float[] expected = alone(ve, healthy, 6, 5);
    // ALD with a step size far beyond the stable range multiplies x by about alpha / (2 sigma^2) a
    // step
    SamplingProcess exploding =
        Samplers.start(
            SamplerSpec.builder().kind(SamplerKind.ALD).stepLr(1e6).build(), ve.info(), 6, 9, null);
    SamplingProcess fine = Samplers.start(healthy, ve.info(), 6, 5, null);
    new BatchEvaluator(ve, 64).runToCompletion(List.of(exploding, fine), () -> {});
    assertNotNull(exploding.failure());
    assertTrue(
        exploding.failure().message().contains("step " + exploding.failure().step()),
        exploding.failure().message());
    assertTrue(exploding.failure().step() < 100);
    assertNull(fine.failure());
    assertArrayEquals(expected, fine.result(), 1e-6f);
  }

  @Test
  void networkReturningNanFailsTheJobNamingTheNetwork() {
    // score = log(x): NaN wherever a coordinate is negative, as a broken checkpoint might be
    OnnxGraphBuilder g = new OnnxGraphBuilder("log");
    String x = g.input("x", DataType.FLOAT, "N", 2);
    g.input("t", DataType.FLOAT, "N");
    g.output(g.op("Log", x), "score", DataType.FLOAT, "N", 2);
    byte[] onnx = g.build(ModelMetadata.describe(TestMixtures.info(SdeKind.VE)));
    try (ScoreModel broken = runtime.load(onnx, "log")) {
      SamplingProcess p =
          Samplers.start(SamplerSpec.builder().steps(10).build(), broken.info(), 8, 1, null);
      new BatchEvaluator(broken, 64).runToCompletion(List.of(p), () -> {});
      assertNotNull(p.failure());
      assertTrue(
          p.failure().message().startsWith("the score network returned NaN for sample"),
          p.failure().message());
      assertEquals(1, p.nfe(), "the job stops at the first bad evaluation");
    }
  }
}
