package io.scorestream.core.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.PackedScoreModel;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sde.SdeKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The adaptive SDE solver ("Gotta Go Fast") against the exact mixture, with the tolerances of
 * {@link MixtureCheck}: 64 points packed into one sample of 128 values stand in for an image, as in
 * the research notes, and raw 2-D samples show the bias that makes the sampler refuse models with
 * few values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdaptiveSamplerTest {
  static final int PACK = 64;
  static final int POINTS = 4096;
  private final OrtRuntime runtime = new OrtRuntime(2);
  private final Map<SdeKind, ScoreModel> points = new EnumMap<>(SdeKind.class);
  private final Map<SdeKind, MixtureCheck> checks = new EnumMap<>(SdeKind.class);

  @BeforeAll
  void loadModels() {
    for (SdeKind kind : SdeKind.values()) {
      points.put(kind, TestMixtures.model(runtime, kind));
      checks.put(kind, new MixtureCheck(TestMixtures.MIXTURE.perturbed(TestMixtures.sde(kind), 0)));
    }
  }

  @AfterAll
  void closeModels() {
    points.values().forEach(ScoreModel::close);
  }

  private static SamplerSpec adaptive() {
    return SamplerSpec.builder().kind(SamplerKind.ADAPTIVE).build();
  }

  private static SamplingProcess run(ScoreModel model, SamplingProcess p) {
    new BatchEvaluator(model, 1 << 20).runToCompletion(List.of(p), () -> {});
    return p;
  }

  /**
   * At the default rtol 0.05, measured: 153 evaluations (VP), 155 (sub-VP), 239 (VE with sigma_max
   * 50), rejected steps included, where the reference PC sampler spends 2001.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(SdeKind.class)
  void adaptiveSolverMatchesExactMixtureOnImageSizedSamples(SdeKind kind) {
    ScoreModel packed = new PackedScoreModel(points.get(kind), PACK);
    SamplingProcess p =
        run(packed, Samplers.start(adaptive(), packed.info(), POINTS / PACK, 31, null));
    assertNull(p.failure());
    checks.get(kind).assertMatches(TestMixtures.rows(p.result(), 2), kind + " adaptive");
    assertTrue(p.nfe() <= 250, kind + " took " + p.nfe() + " evaluations");
  }

  @Test
  void everyAttemptCostsTwoEvaluationsWhetherAcceptedOrNot() {
    ScoreModel packed = new PackedScoreModel(points.get(SdeKind.VP), PACK);
    AdaptiveSdeProcess p =
        (AdaptiveSdeProcess) run(packed, Samplers.start(adaptive(), packed.info(), 16, 5, null));
    assertTrue(p.rejectedSteps() > 0, "some steps are rejected at rtol 0.05");
    assertEquals(2L * p.progress().step() + 1, p.nfe(), "two stages an attempt and the denoising");
    assertEquals(1, p.progress().fraction());
  }

  @Test
  void tighterToleranceSpendsMoreEvaluations() {
    ScoreModel packed = new PackedScoreModel(points.get(SdeKind.VP), PACK);
    long previous = 0;
    for (double rtol : new double[] {0.1, 0.05, 0.02}) {
      SamplerSpec spec = SamplerSpec.builder().kind(SamplerKind.ADAPTIVE).rtol(rtol).build();
      SamplingProcess p = run(packed, Samplers.start(spec, packed.info(), 16, 5, null));
      assertNull(p.failure());
      assertTrue(p.nfe() > previous, "rtol " + rtol + ": " + p.nfe() + " after " + previous);
      previous = p.nfe();
    }
  }

  @Test
  void samplesTakeTheirOwnStepsAndAreScoredAtTheirOwnTimes() {
    ScoreModel packed = new PackedScoreModel(points.get(SdeKind.VE), PACK);
    SamplingProcess p = Samplers.start(adaptive(), packed.info(), 8, 9, null);
    p.keepDenoisedEstimate();
    BatchEvaluator evaluator = new BatchEvaluator(packed, 64);
    for (int i = 0; i < 40; i++) {
      evaluator.step(List.of(p));
    }
    // the denoised preview uses each sample's own time: Tweedie's estimate per row
    float[] times = new float[p.samples()];
    float[] points = p.queryPoints().clone();
    float[] score = new float[points.length];
    for (int r = 0; r < times.length; r++) {
      times[r] = (float) p.queryTime(r);
    }
    packed.score(points, times, null, p.samples(), score);
    evaluator.step(List.of(p));
    float[] denoised = p.denoisedPreview();
    var sde = packed.info().sde();
    for (int i = 0; i < denoised.length; i++) {
      double t = times[i / packed.info().dimension()];
      double sigma = sde.marginalStd(t);
      double expected = (points[i] + sigma * sigma * score[i]) / sde.meanCoefficient(t);
      assertEquals(expected, denoised[i], 1e-4 * (1 + Math.abs(expected)));
    }
    assertTrue(!p.uniformQueryTime());
    double first = p.queryTime(0);
    boolean differ = false;
    for (int r = 1; r < p.samples(); r++) {
      differ |= p.queryTime(r) != first;
      assertTrue(p.queryTime(r) <= p.queryTime(), "queryTime() is the latest sample's");
    }
    assertTrue(differ, "after 20 attempts the samples stand at different times");
  }

  @Test
  void adaptiveJobGivesIdenticalSamplesAloneAndInsideAMixedBatch() {
    ScoreModel packed = new PackedScoreModel(points.get(SdeKind.VP), PACK);
    ModelInfo info = packed.info();
    float[] expected = run(packed, Samplers.start(adaptive(), info, 6, 42, null)).result();
    SamplingProcess mine = Samplers.start(adaptive(), info, 6, 42, null);
    List<SamplingProcess> batch = new ArrayList<>();
    batch.add(Samplers.start(SamplerSpec.builder().steps(60).build(), info, 3, 1, null));
    batch.add(mine);
    batch.add(
        Samplers.start(
            SamplerSpec.builder().kind(SamplerKind.ADAPTIVE).rtol(0.1).build(), info, 5, 2, null));
    batch.add(
        Samplers.start(
            SamplerSpec.builder().kind(SamplerKind.DPM_SOLVER).build(), info, 4, 3, null));
    new BatchEvaluator(packed, 7).runToCompletion(batch, () -> {});
    assertArrayEquals(expected, mine.result(), 1e-6f);
  }

  @Test
  void jobThatOutrunsItsBudgetFailsNamingTheTolerances() {
    ScoreModel packed = new PackedScoreModel(points.get(SdeKind.VP), PACK);
    SamplerSpec spec = SamplerSpec.builder().kind(SamplerKind.ADAPTIVE).steps(40).build();
    SamplingProcess p = run(packed, Samplers.start(spec, packed.info(), 4, 1, null));
    assertNotNull(p.failure());
    assertTrue(
        p.failure().message().contains("within 40 score evaluations"), p.failure().message());
    assertTrue(p.failure().message().contains("rtol 0.05"), p.failure().message());
    assertTrue(p.nfe() <= 40);
  }

  /**
   * On raw 2-D samples the accept test sees two noisy values: rejections keep the small noise draws
   * and the samples come out too narrow at any tolerance, so the sampler refuses such models.
   */
  @Test
  void fewValuesPerSampleBiasTheSamplesSoSuchModelsAreRefused() {
    ScoreModel model = points.get(SdeKind.VP);
    ModelInfo info = model.info();
    AdaptiveSdeProcess raw =
        new AdaptiveSdeProcess(
            info.sde(),
            0.05,
            1.0 / 255,
            2000,
            true,
            POINTS,
            2,
            null,
            info.scaling(),
            31,
            info.eps());
    double[][] x = TestMixtures.rows(run(model, raw).result(), 2);
    MixtureCheck check = checks.get(SdeKind.VP);
    assertTrue(check.sw(x) > check.swBound(check.fractions(x), POINTS), "the known bias shows");
    InvalidSettingException refused =
        assertThrows(
            InvalidSettingException.class, () -> Samplers.check(adaptive(), info, 10, null));
    assertEquals("kind", refused.setting());
    assertTrue(refused.getMessage().contains("at least 32 values"), refused.getMessage());
  }
}
