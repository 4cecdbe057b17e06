package io.scorestream.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.scorestream.proto.v1.*;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageRoundTripTest {

  private static final Timestamp NOW =
      Timestamp.newBuilder().setSeconds(1_790_000_000L).setNanos(5).build();

  private static Tensor tensor() {
    return Tensor.newBuilder()
        .addShape(2)
        .addShape(2)
        .setDtype(DType.FLOAT32)
        .setData(ByteString.copyFrom(new byte[16]))
        .build();
  }

  private static GenerateRequest request() {
    return GenerateRequest.newBuilder()
        .setJobId("job-1")
        .setTenant("acme")
        .setModelName("gmm-ve")
        .setModelVersion("3")
        .setSampler(
            SamplerSettings.newBuilder()
                .setKind(SamplerKind.PC)
                .setPredictor(Predictor.ANCESTRAL)
                .setCorrector(Corrector.ANNEALED_LANGEVIN)
                .setCorrectorSteps(2)
                .setSnr(0.075)
                .setSteps(500)
                .setDenoise(false)
                .setRtol(1e-3)
                .setAtol(1e-4)
                .setOdeSolver(OdeSolver.RK4)
                .setEps(1e-4)
                .setPredictorFirst(true)
                .setLevels(10)
                .setStepLr(2e-5)
                .setLatent(tensor()))
        .setNumSamples(16)
        .setSeed(Long.MAX_VALUE)
        .setPriority(3)
        .setPreview(
            PreviewSettings.newBuilder()
                .setEverySteps(50)
                .setMaxPerSecond(2)
                .setKind(PreviewKind.DENOISED))
        .setConditioning(
            Conditioning.newBuilder()
                .setInpainting(Inpainting.newBuilder().setKnown(tensor()).setMask(tensor())))
        .setSubmittedAt(NOW)
        .build();
  }

  static Stream<Message> everyMessage() {
    Progress progress =
        Progress.newBuilder()
            .setStep(10)
            .setTotalSteps(1000)
            .setT(0.99)
            .setNfe(20)
            .setElapsedMs(15)
            .setEtaMs(1500)
            .setPreview(tensor())
            .setPreviewKind(PreviewKind.CURRENT)
            .build();
    Completed completed =
        Completed.newBuilder()
            .setSamples(tensor())
            .setNfe(2000)
            .setQueuedMs(3)
            .setRunMs(900)
            .build();
    Failed failed =
        Failed.newBuilder().setReason("step 12 produced NaN").setCode("non_finite").build();
    return Stream.of(
        tensor(),
        request(),
        JobEvent.newBuilder()
            .setJobId("job-1")
            .setAttempt(2)
            .setSequence(7)
            .setTime(NOW)
            .setAccepted(Accepted.newBuilder().setRequest(request()))
            .build(),
        JobEvent.newBuilder()
            .setJobId("job-1")
            .setAttempt(1)
            .setSequence(8)
            .setStarted(Started.newBuilder().setWorkerId("w1").setModelVersion("3"))
            .build(),
        JobEvent.newBuilder().setJobId("job-1").setSequence(9).setProgress(progress).build(),
        JobEvent.newBuilder().setJobId("job-1").setSequence(10).setCompleted(completed).build(),
        JobEvent.newBuilder().setJobId("job-1").setSequence(11).setFailed(failed).build(),
        JobEvent.newBuilder()
            .setJobId("job-1")
            .setSequence(12)
            .setCancelled(Cancelled.newBuilder().setReason("user"))
            .build(),
        JobState.newBuilder()
            .setJobId("job-1")
            .setTenant("acme")
            .setModelName("gmm-ve")
            .setModelVersion("3")
            .setStatus(JobStatus.SUCCEEDED)
            .setAttempt(1)
            .setLastSequence(12)
            .setProgress(progress)
            .setWorkerId("w1")
            .setFailure(failed)
            .setResult(completed)
            .setUpdatedAt(NOW)
            .setSummary(
                JobSummary.newBuilder()
                    .setNumSamples(16)
                    .setSeed(7)
                    .setSampler(SamplerKind.ODE)
                    .setModelVersion("3")
                    .setSubmittedAt(NOW))
            .setRequestDigest(ByteString.copyFrom(new byte[32]))
            .build(),
        Control.newBuilder()
            .setJobId("job-1")
            .setTenant("acme")
            .setCancel(Cancel.newBuilder().setReason("user"))
            .build(),
        Conditioning.newBuilder()
            .setClassLabels(ClassLabels.newBuilder().addLabels(3).addLabels(7))
            .build(),
        Conditioning.newBuilder()
            .setColorization(Colorization.newBuilder().setGray(tensor()))
            .build(),
        DataRecord.newBuilder()
            .setExampleId("mnist-17")
            .setDataset("mnist")
            .setX(tensor())
            .setLabel(4)
            .setTime(NOW)
            .build(),
        CheckpointEvent.newBuilder()
            .setModelName("mnist-unet")
            .setVersion("12")
            .setTrainStep(40000)
            .setSha256("ab")
            .setSizeBytes(3)
            .putMetadata("scorestream.sde", "ve")
            .setOnnx(ByteString.copyFromUtf8("onx"))
            .setTime(NOW)
            .build(),
        CheckpointEvent.newBuilder()
            .setModelName("mnist-unet")
            .setUri("s3://bucket/mnist-unet/12.onnx")
            .build(),
        WorkerHeartbeat.newBuilder()
            .setWorkerId("w1")
            .setHost("h1")
            .addModels(ModelVersion.newBuilder().setName("gmm-ve").setVersion("3"))
            .setActiveJobs(4)
            .setQueuedJobs(2)
            .setSamplesPerSecond(100.5)
            .setEvaluationsPerSecond(2000)
            .setBatchOccupancy(0.75)
            .setTime(NOW)
            .build(),
        DeadLetter.newBuilder()
            .setTopic("scorestream.jobs")
            .setPartition(3)
            .setOffset(99)
            .setKey(ByteString.copyFromUtf8("k"))
            .setValue(ByteString.copyFromUtf8("garbage"))
            .setReason("unparseable GenerateRequest")
            .setTime(NOW)
            .build());
  }

  @ParameterizedTest
  @MethodSource("everyMessage")
  void binaryEncodingRoundTripsEveryField(Message message) throws Exception {
    Message parsed = message.getParserForType().parseFrom(message.toByteArray());
    assertEquals(message, parsed);
    assertNotEquals(message.getDefaultInstanceForType(), parsed, "the fixture must set fields");
  }

  @ParameterizedTest
  @MethodSource("everyMessage")
  void jsonMappingRoundTripsEveryField(Message message) throws Exception {
    String json = JsonFormat.printer().print(message);
    Message.Builder builder = message.newBuilderForType();
    JsonFormat.parser().merge(json, builder);
    assertEquals(message, builder.build());
  }
}
