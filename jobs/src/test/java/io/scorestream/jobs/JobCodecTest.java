package io.scorestream.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.sample.CorrectorKind;
import io.scorestream.core.sample.OdeMethod;
import io.scorestream.core.sample.PredictorKind;
import io.scorestream.core.sample.SamplerKind;
import io.scorestream.core.sample.SamplerSpec;
import io.scorestream.proto.v1.Corrector;
import io.scorestream.proto.v1.DType;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.OdeSolver;
import io.scorestream.proto.v1.Predictor;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.proto.v1.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The one codec maps every field of the sampler settings, defaults them as core does, and refuses
 * unknown enums.
 */
class JobCodecTest {
  static Tensor float64(double[] values, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(values);
    Tensor.Builder t =
        Tensor.newBuilder()
            .setDtype(DType.FLOAT64)
            .setData(com.google.protobuf.ByteString.copyFrom(b));
    for (long d : shape) {
      t.addShape(d);
    }
    return t.build();
  }

  @Test
  void emptySettingsAreCoresDefaults() {
    SamplerSpec spec = JobCodec.samplerSpec(SamplerSettings.getDefaultInstance());
    SamplerSpec defaults = SamplerSpec.defaults();
    assertEquals(defaults.kind(), spec.kind());
    assertEquals(defaults.predictor(), spec.predictor());
    assertEquals(defaults.corrector(), spec.corrector());
    assertEquals(defaults.snr(), spec.snr());
    assertEquals(defaults.steps(), spec.steps());
    assertEquals(defaults.odeMethod(), spec.odeMethod());
    assertEquals(defaults.denoise(), spec.denoise());
    assertNull(spec.latent());
  }

  @Test
  void adaptiveSamplerTakesItsOwnDefaultsAndTheGivenTolerance() {
    SamplerSettings.Builder adaptive =
        SamplerSettings.newBuilder().setKind(io.scorestream.proto.v1.SamplerKind.ADAPTIVE);
    SamplerSpec defaults = JobCodec.samplerSpec(adaptive.build());
    assertEquals(SamplerKind.ADAPTIVE, defaults.kind());
    assertEquals(SamplerSpec.DEFAULT_ADAPTIVE_BUDGET, defaults.steps());
    assertEquals(SamplerSpec.DEFAULT_ADAPTIVE_RTOL, defaults.rtol());
    assertTrue(Double.isNaN(defaults.atol()), "atol follows the model's data scaling");
    SamplerSpec given = JobCodec.samplerSpec(adaptive.setRtol(0.02).setAtol(0.01).build());
    assertEquals(0.02, given.rtol());
    assertEquals(0.01, given.atol());
    assertEquals(
        1e-5,
        JobCodec.samplerSpec(
                SamplerSettings.newBuilder()
                    .setKind(io.scorestream.proto.v1.SamplerKind.ODE)
                    .build())
            .rtol(),
        "the ODE keeps its own");
  }

  @Test
  void everyFieldIsMappedIncludingTheLatent() {
    double[] latent = {0.5, -1.25, 3, 4};
    SamplerSettings s =
        SamplerSettings.newBuilder()
            .setKind(io.scorestream.proto.v1.SamplerKind.ODE)
            .setPredictor(Predictor.ANCESTRAL)
            .setCorrector(Corrector.CORRECTOR_NONE)
            .setCorrectorSteps(3)
            .setSnr(0.2)
            .setSteps(77)
            .setDenoise(false)
            .setRtol(1e-3)
            .setAtol(1e-4)
            .setOdeSolver(OdeSolver.HEUN)
            .setEps(1e-3)
            .setPredictorFirst(true)
            .setLevels(5)
            .setStepLr(1e-4)
            .setLatent(float64(latent, 2, 2))
            .build();
    SamplerSpec spec = JobCodec.samplerSpec(s);
    assertEquals(SamplerKind.ODE, spec.kind());
    assertEquals(PredictorKind.ANCESTRAL, spec.predictor());
    assertEquals(CorrectorKind.NONE, spec.corrector());
    assertEquals(3, spec.correctorSteps());
    assertEquals(0.2, spec.snr());
    assertEquals(77, spec.steps());
    assertEquals(false, spec.denoise());
    assertEquals(1e-3, spec.rtol());
    assertEquals(1e-4, spec.atol());
    assertEquals(OdeMethod.HEUN, spec.odeMethod());
    assertEquals(1e-3, spec.eps());
    assertEquals(true, spec.predictorFirst());
    assertEquals(5, spec.levels());
    assertEquals(1e-4, spec.stepLr());
    assertArrayEquals(latent, spec.latent(), "a given latent is the latent the job starts from");
  }

  @Test
  void wireAndCoreEnumsMapBothWays() {
    for (SamplerKind k : SamplerKind.values()) {
      assertEquals(
          k,
          JobCodec.samplerSpec(SamplerSettings.newBuilder().setKind(JobCodec.wire(k)).build())
              .kind());
    }
    for (PredictorKind k : PredictorKind.values()) {
      SamplerSettings s = SamplerSettings.newBuilder().setPredictor(JobCodec.wire(k)).build();
      assertEquals(k, JobCodec.samplerSpec(s).predictor());
    }
    for (CorrectorKind k : CorrectorKind.values()) {
      assertEquals(
          k,
          JobCodec.samplerSpec(SamplerSettings.newBuilder().setCorrector(JobCodec.wire(k)).build())
              .corrector());
    }
    for (OdeMethod m : OdeMethod.values()) {
      assertEquals(
          m,
          JobCodec.samplerSpec(SamplerSettings.newBuilder().setOdeSolver(JobCodec.wire(m)).build())
              .odeMethod());
    }
  }

  @Test
  void unknownEnumNumbersAreRefusedNotRunAsTheDefault() {
    assertField("sampler.kind", SamplerSettings.newBuilder().setKindValue(17));
    assertField("sampler.predictor", SamplerSettings.newBuilder().setPredictorValue(99));
    assertField("sampler.corrector", SamplerSettings.newBuilder().setCorrectorValue(-3));
    assertField("sampler.odeSolver", SamplerSettings.newBuilder().setOdeSolverValue(5));
  }

  @Test
  void impossibleSettingsNameTheirField() {
    assertField("sampler.snr", SamplerSettings.newBuilder().setSnr(-1));
    assertField("sampler.snr", SamplerSettings.newBuilder().setSnr(Double.NaN));
    assertField("sampler.steps", SamplerSettings.newBuilder().setSteps(0));
    assertField("sampler.steps", SamplerSettings.newBuilder().setSteps(2_000_000));
    assertField("sampler.correctorSteps", SamplerSettings.newBuilder().setCorrectorSteps(-1));
    assertField("sampler.levels", SamplerSettings.newBuilder().setLevels(0));
    assertField("sampler.stepLr", SamplerSettings.newBuilder().setStepLr(Double.POSITIVE_INFINITY));
    assertField("sampler.eps", SamplerSettings.newBuilder().setEps(-1));
    assertField("sampler.rtol", SamplerSettings.newBuilder().setRtol(0));
    assertField("sampler.atol", SamplerSettings.newBuilder().setAtol(Double.NaN));
    assertField(
        "sampler.predictor",
        SamplerSettings.newBuilder()
            .setPredictor(Predictor.PREDICTOR_NONE)
            .setCorrector(Corrector.CORRECTOR_NONE));
  }

  @Test
  void malformedOrMisplacedLatentsAreRefused() {
    SamplerSettings.Builder ode =
        SamplerSettings.newBuilder().setKind(io.scorestream.proto.v1.SamplerKind.ODE);
    assertField(
        "sampler.latent",
        SamplerSettings.newBuilder().setLatent(float64(new double[] {1, 2}, 1, 2)));
    assertField("sampler.latent", ode.clone().setLatent(float64(new double[] {1, 2}, 1, 3)));
    assertField(
        "sampler.latent", ode.clone().setLatent(float64(new double[] {1, Double.NaN}, 1, 2)));
    assertField("sampler.latent", ode.clone().setLatent(float64(new double[] {1, 2}, 2, -1)));
    assertField(
        "sampler.latent",
        ode.clone()
            .setLatent(
                float64(new double[] {1, 2}, 1, 2).toBuilder()
                    .setDtype(DType.INT64)
                    .setData(com.google.protobuf.ByteString.copyFrom(new byte[16]))));
  }

  @Test
  void oneLabelAppliesToAllSamplesAndOtherCountsAreRefused() {
    GenerateRequest.Builder r = GenerateRequest.newBuilder().setNumSamples(3);
    r.getConditioningBuilder().getClassLabelsBuilder().addLabels(7);
    assertArrayEquals(new long[] {7, 7, 7}, JobCodec.labels(r.build()));
    r.getConditioningBuilder().getClassLabelsBuilder().addLabels(1);
    RequestException e = assertThrows(RequestException.class, () -> JobCodec.labels(r.build()));
    assertEquals("conditioning.classLabels.labels", e.problem().field());
    assertNull(JobCodec.labels(GenerateRequest.getDefaultInstance()));
  }

  private static void assertField(String field, SamplerSettings.Builder settings) {
    RequestException e =
        assertThrows(RequestException.class, () -> JobCodec.samplerSpec(settings.build()));
    assertEquals(field, e.problem().field(), e.getMessage());
    assertEquals(FailureCode.INVALID_REQUEST, e.problem().code());
    assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
  }
}
