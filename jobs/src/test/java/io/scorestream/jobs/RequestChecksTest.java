package io.scorestream.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.sde.VeSde;
import io.scorestream.core.sde.VpSde;
import io.scorestream.proto.v1.DType;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.Tensor;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A hostile corpus: every limit of a request at and beyond it, each refused with its code and the
 * field at fault, and the same request just inside the limit accepted.
 */
class RequestChecksTest {
  private static final ModelInfo POINTS =
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
  private static final ModelInfo DIGITS =
      new ModelInfo(
          "digits",
          "1",
          new VeSde(0.01, 50, 1),
          1e-5,
          new int[] {1, 28, 28},
          DataScaling.CENTERED,
          10,
          TimeInput.TIME,
          "mnist",
          100);
  private final RequestChecks checks = new RequestChecks(new RequestChecks.Limits(4096, 1 << 20));

  private static GenerateRequest.Builder ok() {
    return GenerateRequest.newBuilder()
        .setJobId("job-1")
        .setTenant("acme")
        .setModelName("gmm")
        .setNumSamples(16);
  }

  private void assertRefused(FailureCode code, String field, GenerateRequest.Builder request) {
    Optional<Problem> p = checks.check(request.build(), POINTS);
    assertTrue(p.isPresent(), "accepted: " + field);
    assertEquals(code, p.get().code(), p.get().message());
    assertEquals(field, p.get().field(), p.get().message());
    assertTrue(
        p.get().message().length() < 400, "a sentence, not a dump: " + p.get().message().length());
  }

  private void assertAccepted(GenerateRequest.Builder request) {
    assertEquals(Optional.empty(), checks.check(request.build(), POINTS));
  }

  @Test
  void idsAndNamesAtAndBeyondTheirLimits() {
    assertAccepted(ok().setJobId("j".repeat(128)));
    assertRefused(FailureCode.INVALID_REQUEST, "jobId", ok().setJobId("j".repeat(129)));
    assertRefused(FailureCode.INVALID_REQUEST, "jobId", ok().setJobId(""));
    assertRefused(FailureCode.INVALID_REQUEST, "jobId", ok().setJobId("a b"));
    assertRefused(FailureCode.INVALID_REQUEST, "jobId", ok().setJobId("x\n".repeat(1 << 20)));
    assertAccepted(ok().setTenant("t".repeat(64)));
    assertRefused(FailureCode.INVALID_REQUEST, "tenant", ok().setTenant("t".repeat(65)));
    assertRefused(FailureCode.INVALID_REQUEST, "tenant", ok().setTenant(""));
    assertRefused(FailureCode.INVALID_REQUEST, "tenant", ok().setTenant("acme/../root"));
    assertRefused(FailureCode.INVALID_REQUEST, "modelName", ok().setModelName("m".repeat(101)));
    assertRefused(FailureCode.INVALID_REQUEST, "modelName", ok().setModelName("a model"));
    assertRefused(FailureCode.INVALID_REQUEST, "modelVersion", ok().setModelVersion(""));
    assertRefused(
        FailureCode.INVALID_REQUEST, "modelVersion", ok().setModelVersion("v".repeat(65)));
  }

  @Test
  void samplesAtAndBeyondTheirLimits() {
    assertAccepted(ok().setNumSamples(1));
    assertAccepted(ok().setNumSamples(4096));
    assertRefused(FailureCode.TOO_LARGE, "numSamples", ok().setNumSamples(4097));
    assertRefused(FailureCode.TOO_LARGE, "numSamples", ok().setNumSamples(Integer.MAX_VALUE));
    assertRefused(FailureCode.INVALID_REQUEST, "numSamples", ok().setNumSamples(0));
    assertRefused(FailureCode.INVALID_REQUEST, "numSamples", ok().setNumSamples(Integer.MIN_VALUE));
  }

  @Test
  void resultOverItsLimitIsRefusedForTheModelThatMakesIt() {
    // 4096 digits are 12.8 MB of float32, over the 1 MiB result limit; 4096 points are 32 KiB
    Optional<Problem> p =
        checks.check(
            ok().setModelName("digits").setNumSamples(4096).setConditioning(labels(3)).build(),
            DIGITS);
    assertEquals(FailureCode.TOO_LARGE, p.orElseThrow().code());
    assertEquals(
        Optional.empty(),
        checks.check(
            ok().setModelName("digits").setNumSamples(300).setConditioning(labels(3)).build(),
            DIGITS));
  }

  @Test
  void requestOverItsSizeLimitIsRefusedWhatever() {
    int just = RequestChecks.MAX_REQUEST_BYTES - ok().build().getSerializedSize() - 64;
    Tensor big =
        Tensor.newBuilder()
            .setDtype(DType.UINT8)
            .addShape(just)
            .setData(ByteString.copyFrom(new byte[just]))
            .build();
    GenerateRequest.Builder over = ok();
    over.getConditioningBuilder().getInpaintingBuilder().setKnown(big).setMask(big);
    assertRefused(FailureCode.TOO_LARGE, "", over);
  }

  @Test
  void previewCadenceAndRateAtAndBeyondTheirLimits() {
    GenerateRequest.Builder r = ok();
    r.getPreviewBuilder().setEverySteps(1).setMaxPerSecond(RequestChecks.MAX_PREVIEWS_PER_SECOND);
    assertAccepted(r);
    r.getPreviewBuilder().setMaxPerSecond(RequestChecks.MAX_PREVIEWS_PER_SECOND + 1);
    assertRefused(FailureCode.INVALID_REQUEST, "preview.maxPerSecond", r);
    r.getPreviewBuilder().setMaxPerSecond(Double.NaN);
    assertRefused(FailureCode.INVALID_REQUEST, "preview.maxPerSecond", r);
    r.getPreviewBuilder().setMaxPerSecond(-1);
    assertRefused(FailureCode.INVALID_REQUEST, "preview.maxPerSecond", r);
    r.getPreviewBuilder().setMaxPerSecond(0).setEverySteps(-5);
    assertRefused(FailureCode.INVALID_REQUEST, "preview.everySteps", r);
    r.getPreviewBuilder().setEverySteps(0).setKindValue(42);
    assertRefused(FailureCode.INVALID_REQUEST, "preview.kind", r);
  }

  @Test
  void priorityBeyondItsRangeIsRefused() {
    assertAccepted(ok().setPriority(RequestChecks.MAX_PRIORITY));
    assertRefused(FailureCode.INVALID_REQUEST, "priority", ok().setPriority(Integer.MIN_VALUE));
  }

  @Test
  void samplerSettingsAreCheckedOnArrivalNotWhenTheJobStarts() {
    GenerateRequest.Builder r = ok();
    r.getSamplerBuilder().setSnr(-0.5);
    assertRefused(FailureCode.INVALID_REQUEST, "sampler.snr", r);
    r = ok();
    r.getSamplerBuilder().setKind(io.scorestream.proto.v1.SamplerKind.ALD);
    assertRefused(
        FailureCode.INVALID_REQUEST, "sampler.kind", r); // ALD needs a VE model; this one is VP
    r = ok();
    r.getSamplerBuilder().setEps(1.5);
    assertRefused(FailureCode.INVALID_REQUEST, "sampler.eps", r); // beyond the horizon T = 1
  }

  @Test
  void aLatentMustHaveTheShapeOfTheSamples() {
    GenerateRequest.Builder r = ok().setNumSamples(2);
    r.getSamplerBuilder()
        .setKind(io.scorestream.proto.v1.SamplerKind.ODE)
        .setLatent(JobCodecTest.float64(new double[] {1, 2, 3, 4}, 2, 2));
    assertAccepted(r);
    r.getSamplerBuilder().setLatent(JobCodecTest.float64(new double[] {1, 2, 3, 4}, 4, 1));
    assertRefused(FailureCode.INVALID_REQUEST, "sampler.latent", r);
    r.getSamplerBuilder().setLatent(JobCodecTest.float64(new double[] {1, 2, 3, 4, 5, 6}, 3, 2));
    assertRefused(FailureCode.INVALID_REQUEST, "sampler.latent", r);
  }

  @Test
  void labelsMustFitTheModelsClasses() {
    assertRefused(
        FailureCode.INVALID_REQUEST,
        "conditioning.classLabels.labels",
        ok().setConditioning(labels(1)));
    Optional<Problem> none = checks.check(ok().setModelName("digits").build(), DIGITS);
    assertEquals("conditioning.classLabels.labels", none.orElseThrow().field());
    Optional<Problem> outside =
        checks.check(ok().setModelName("digits").setConditioning(labels(10)).build(), DIGITS);
    assertTrue(
        outside.orElseThrow().message().contains("outside [0, 10)"), outside.get().message());
  }

  /** A classifier of three classes that fits {@link #POINTS}. */
  private static final ModelInfo MODES =
      new ModelInfo(
          "modes",
          "1",
          POINTS.sde(),
          POINTS.eps(),
          POINTS.dataShape(),
          POINTS.scaling(),
          3,
          POINTS.timeInput(),
          "",
          -1);

  private Optional<Problem> guided(
      GenerateRequest.Builder request, double scale, ModelInfo model, ModelInfo classifier) {
    request.getGuidanceBuilder().setClassifier("modes").setScale(scale);
    return checks.check(request.build(), model, classifier);
  }

  @Test
  void guidanceNeedsLabelsWithinTheClassifiersClassesAScaleInRangeAndAClassifierThatFitsTheModel() {
    assertEquals(
        Optional.empty(),
        guided(ok().setConditioning(labels(2)), 0, POINTS, MODES),
        "labels: its classes");
    assertEquals(
        Optional.empty(),
        guided(ok().setConditioning(labels(0)), ClassifierGuidance.MAX_SCALE, POINTS, MODES));
    assertEquals(
        "conditioning.classLabels.labels", guided(ok(), 1, POINTS, MODES).orElseThrow().field());
    assertTrue(
        guided(ok().setConditioning(labels(3)), 1, POINTS, MODES)
            .orElseThrow()
            .message()
            .contains("outside [0, 3)"));
    for (double scale : new double[] {-0.5, 100.5, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertEquals(
          "guidance.scale",
          guided(ok().setConditioning(labels(0)), scale, POINTS, MODES).orElseThrow().field(),
          "scale " + scale);
    }
    ModelInfo otherNoise =
        new ModelInfo(
            "modes",
            "1",
            new VpSde(0.1, 10, 1),
            POINTS.eps(),
            POINTS.dataShape(),
            POINTS.scaling(),
            3,
            POINTS.timeInput(),
            "",
            -1);
    Problem noise = guided(ok().setConditioning(labels(0)), 1, POINTS, otherNoise).orElseThrow();
    assertEquals("guidance.classifier", noise.field());
    assertTrue(
        noise
                .message()
                .contains(
                    "vp (beta 0.1 to 10, T 1, time input time); model gmm uses vp (beta 0.1"
                        + " to 20")
            && noise.message().contains("noise levels"),
        noise.message());
    Problem digits =
        guided(ok().setModelName("digits").setConditioning(labels(0)), 1, DIGITS, MODES)
            .orElseThrow();
    assertEquals("guidance.classifier", digits.field(), digits.message());
    GenerateRequest.Builder likelihood = ok().setConditioning(labels(0));
    likelihood.getLikelihoodBuilder().setData(floats(16, new int[] {2}, new float[32]));
    assertEquals("guidance", guided(likelihood, 1, POINTS, MODES).orElseThrow().field());
    GenerateRequest.Builder badName = ok().setConditioning(labels(0));
    badName.getGuidanceBuilder().setClassifier("a classifier/with spaces");
    assertEquals(
        "guidance.classifier", checks.check(badName.build(), POINTS, MODES).orElseThrow().field());
  }

  private static Tensor floats(int rows, int[] shape, float... values) {
    return Tensors.of(values, rows, shape);
  }

  private static GenerateRequest.Builder inpainting(Tensor known, Tensor mask, int particles) {
    GenerateRequest.Builder r = ok().setNumSamples(2);
    var p = r.getConditioningBuilder().getInpaintingBuilder().setParticles(particles);
    if (known != null) {
      p.setKnown(known);
    }
    if (mask != null) {
      p.setMask(mask);
    }
    return r;
  }

  @Test
  void inpaintingMasksAndKnownValuesAreCheckedNamingTheField() {
    int[] two = {2};
    Tensor shared = floats(1, two, 0, 0.5f);
    Tensor mask = floats(1, two, 0, 1);
    assertAccepted(inpainting(shared, mask, 0));
    assertAccepted(inpainting(floats(2, two, 0, 0.5f, 1, 0), floats(2, two, 1, 0, 0, 1), 4));
    String f = "conditioning.inpainting.";
    assertRefused(FailureCode.INVALID_REQUEST, f + "mask", inpainting(shared, null, 0));
    assertRefused(FailureCode.INVALID_REQUEST, f + "known", inpainting(null, mask, 0));
    assertRefused(
        FailureCode.INVALID_REQUEST, f + "mask", inpainting(shared, floats(1, two, 0, 0.5f), 0));
    assertRefused(
        FailureCode.INVALID_REQUEST,
        f + "mask",
        inpainting(shared, floats(1, new int[] {3}, 0, 1, 1), 0));
    assertRefused(
        FailureCode.INVALID_REQUEST,
        f + "mask",
        inpainting(shared, floats(3, two, 0, 1, 0, 1, 0, 1), 0));
    assertRefused(
        FailureCode.INVALID_REQUEST,
        f + "known",
        inpainting(floats(1, two, 0, Float.NaN), mask, 0));
    assertRefused(
        FailureCode.INVALID_REQUEST,
        f + "known",
        inpainting(shared.toBuilder().setData(ByteString.copyFrom(new byte[7])).build(), mask, 0));
    assertRefused(FailureCode.INVALID_REQUEST, f + "particles", inpainting(shared, mask, -1));
    assertRefused(FailureCode.INVALID_REQUEST, f + "particles", inpainting(shared, mask, 257));
    assertRefused(
        FailureCode.TOO_LARGE, f + "particles", inpainting(shared, mask, 256).setNumSamples(17));
    GenerateRequest.Builder ode = inpainting(shared, mask, 0);
    ode.getSamplerBuilder().setKind(io.scorestream.proto.v1.SamplerKind.ODE);
    assertRefused(FailureCode.INVALID_REQUEST, "sampler.kind", ode);
    GenerateRequest.Builder labelled = inpainting(shared, mask, 0);
    labelled.getConditioningBuilder().getInpaintingBuilder().addLabels(1);
    assertRefused(FailureCode.INVALID_REQUEST, f + "labels", labelled);
  }

  @Test
  void inpaintingAClassConditionalModelTakesItsLabelsAndColorizationNeedsAColourModel() {
    int[] digit = {1, 28, 28};
    Tensor known = Tensors.of(new float[784], 1, digit);
    Tensor top = Tensors.of(new float[784], 1, digit);
    GenerateRequest.Builder r = ok().setModelName("digits").setNumSamples(3);
    r.getConditioningBuilder().getInpaintingBuilder().setKnown(known).setMask(top).addLabels(7);
    assertEquals(Optional.empty(), checks.check(r.build(), DIGITS));
    r.getConditioningBuilder().getInpaintingBuilder().clearLabels();
    assertEquals(
        "conditioning.inpainting.labels",
        checks.check(r.build(), DIGITS).orElseThrow().field(),
        "a class-conditional model needs labels");
    r.getConditioningBuilder().getInpaintingBuilder().addLabels(12);
    assertEquals(
        "conditioning.inpainting.labels", checks.check(r.build(), DIGITS).orElseThrow().field());
    GenerateRequest.Builder grey = ok().setModelName("digits").setNumSamples(3);
    grey.getConditioningBuilder().getColorizationBuilder().setGray(known);
    assertEquals(
        "conditioning.colorization",
        checks.check(grey.build(), DIGITS).orElseThrow().field(),
        "a grey-scale model cannot colour, whatever the labels");
    grey.getConditioningBuilder().getColorizationBuilder().addLabels(1);
    Problem p = checks.check(grey.build(), DIGITS).orElseThrow();
    assertEquals("conditioning.colorization", p.field(), p.message());
    assertTrue(p.message().contains("[3, H, W]"), p.message());
  }

  private static io.scorestream.proto.v1.Conditioning labels(long label) {
    return io.scorestream.proto.v1.Conditioning.newBuilder()
        .setClassLabels(io.scorestream.proto.v1.ClassLabels.newBuilder().addLabels(label))
        .build();
  }

  @Test
  void likelihoodAndEncodeTasksAreCheckedAgainstTheModelNamingTheField() {
    Tensor points = floats(16, new int[] {2}, new float[32]);
    GenerateRequest.Builder likelihood =
        ok().setLikelihood(
                io.scorestream.proto.v1.LikelihoodTask.newBuilder().setData(points).setExact(true));
    assertAccepted(likelihood);
    assertAccepted(ok().setEncode(io.scorestream.proto.v1.EncodeTask.newBuilder().setData(points)));
    assertRefused(
        FailureCode.INVALID_REQUEST,
        "likelihood.data",
        ok().setNumSamples(15).setLikelihood(likelihood.getLikelihood()));
    assertRefused(
        FailureCode.INVALID_REQUEST,
        "likelihood.data",
        ok().setLikelihood(io.scorestream.proto.v1.LikelihoodTask.getDefaultInstance()));
    assertRefused(
        FailureCode.INVALID_REQUEST,
        "likelihood.probes",
        ok().setLikelihood(likelihood.getLikelihood().toBuilder().setExact(false).setProbes(1025)));
    assertRefused(
        FailureCode.TOO_LARGE,
        "likelihood.data",
        ok().setLikelihood(likelihood.getLikelihood().toBuilder().setExact(false).setProbes(1000)));
    GenerateRequest.Builder ald =
        ok().setEncode(io.scorestream.proto.v1.EncodeTask.newBuilder().setData(points));
    ald.getSamplerBuilder().setKind(io.scorestream.proto.v1.SamplerKind.ALD);
    assertRefused(FailureCode.INVALID_REQUEST, "sampler.kind", ald);
    GenerateRequest.Builder both =
        ok().setEncode(io.scorestream.proto.v1.EncodeTask.newBuilder().setData(points));
    both.getConditioningBuilder().getInpaintingBuilder();
    assertRefused(FailureCode.INVALID_REQUEST, "conditioning", both);

    float[] grey = new float[784];
    grey[5] = 0.5f; // not k / 255
    GenerateRequest.Builder digits =
        ok().setModelName("digits")
            .setNumSamples(1)
            .setConditioning(labels(3))
            .setLikelihood(
                io.scorestream.proto.v1.LikelihoodTask.newBuilder()
                    .setData(Tensors.of(grey, 1, new int[] {1, 28, 28})));
    Problem offGrid = checks.check(digits.build(), DIGITS).orElseThrow();
    assertEquals("likelihood.data", offGrid.field(), offGrid.message());
    assertTrue(offGrid.message().contains("likelihood.continuous"), offGrid.message());
    digits.getLikelihoodBuilder().setContinuous(true);
    assertEquals(Optional.empty(), checks.check(digits.build(), DIGITS));
    digits.getLikelihoodBuilder().setExact(true);
    assertEquals("likelihood.exact", checks.check(digits.build(), DIGITS).orElseThrow().field());
  }
}
