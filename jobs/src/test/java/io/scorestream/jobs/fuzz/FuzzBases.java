package io.scorestream.jobs.fuzz;

import io.scorestream.jobs.Tensors;
import io.scorestream.proto.v1.Cancel;
import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.proto.v1.CheckpointPart;
import io.scorestream.proto.v1.ClassLabels;
import io.scorestream.proto.v1.Colorization;
import io.scorestream.proto.v1.Completed;
import io.scorestream.proto.v1.Conditioning;
import io.scorestream.proto.v1.Control;
import io.scorestream.proto.v1.Corrector;
import io.scorestream.proto.v1.DataRecord;
import io.scorestream.proto.v1.EncodeTask;
import io.scorestream.proto.v1.Failed;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.Guidance;
import io.scorestream.proto.v1.Inpainting;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.JobStatus;
import io.scorestream.proto.v1.LikelihoodTask;
import io.scorestream.proto.v1.ModelVersion;
import io.scorestream.proto.v1.OdeSolver;
import io.scorestream.proto.v1.Predictor;
import io.scorestream.proto.v1.PreviewKind;
import io.scorestream.proto.v1.PreviewSettings;
import io.scorestream.proto.v1.Progress;
import io.scorestream.proto.v1.SamplerKind;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.proto.v1.Started;
import io.scorestream.proto.v1.ValueRange;
import io.scorestream.proto.v1.Webhook;
import io.scorestream.proto.v1.WorkerHeartbeat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Valid messages of every kind a service reads, for {@link MessageFuzz} to mutate: requests
 * covering each sampler, task, inverse problem and guidance (small enough to run in a few dozen
 * model calls), and the control, heartbeat, checkpoint, state, event and data records beside them.
 *
 * @param plane a 2-D VP model whose two modes {@code classifier} tells apart
 * @param classifier the classifier of {@code plane}'s modes (2 classes)
 * @param images a 1 x 8 x 8 image model
 * @param colours a 3 x 4 x 4 colour model
 */
public record FuzzBases(String plane, String classifier, String images, String colours) {
  private static SamplerSettings.Builder steps(int steps) {
    return SamplerSettings.newBuilder().setSteps(steps);
  }

  /** A request of this model with these settings, seed and samples. */
  private static GenerateRequest.Builder request(
      String id, String model, SamplerSettings.Builder sampler, int n) {
    return GenerateRequest.newBuilder()
        .setJobId(id)
        .setTenant("a")
        .setModelName(model)
        .setSampler(sampler)
        .setNumSamples(n)
        .setSeed(7);
  }

  /**
   * Valid requests, one of each shape this build serves, with the ids {@code prefix-0, prefix-1,
   * ...}.
   */
  public List<GenerateRequest> requests(String prefix) {
    float[] planePoints = {-2, 0, 2, 1};
    float[] picture = new float[64];
    Arrays.fill(picture, 0, 32, 1f);
    float[] mask = picture.clone();
    float[] grey = new float[16];
    Arrays.fill(grey, 0.4f);
    List<GenerateRequest.Builder> b = new ArrayList<>();
    b.add(request("", plane, steps(20), 4));
    b.add(
        request(
                "",
                plane,
                steps(20)
                    .setPredictor(Predictor.EULER_MARUYAMA)
                    .setCorrector(Corrector.CORRECTOR_NONE),
                3)
            .setPriority(5));
    b.add(
        request(
            "",
            plane,
            steps(15).setPredictor(Predictor.ANCESTRAL).setSnr(0.2).setCorrectorSteps(2),
            2));
    b.add(request("", plane, steps(20).setKind(SamplerKind.ODE).setOdeSolver(OdeSolver.EULER), 4));
    b.add(
        request(
            "",
            plane,
            SamplerSettings.newBuilder().setKind(SamplerKind.ODE).setRtol(1e-2).setAtol(1e-2),
            2));
    b.add(
        request(
            "",
            plane,
            steps(10)
                .setKind(SamplerKind.ODE)
                .setOdeSolver(OdeSolver.HEUN)
                .setLatent(Tensors.of(planePoints, 2, new int[] {2})),
            2));
    b.add(
        request("", images, steps(20).setDenoise(false), 2)
            .setPreview(
                PreviewSettings.newBuilder().setEverySteps(5).setKind(PreviewKind.DENOISED)));
    b.add(
        request("", images, steps(20), 2)
            .setPreview(PreviewSettings.newBuilder().setMaxPerSecond(10)));
    b.add(
        request("", plane, steps(20), 2)
            .setGuidance(Guidance.newBuilder().setClassifier(classifier).setScale(2))
            .setConditioning(
                Conditioning.newBuilder().setClassLabels(ClassLabels.newBuilder().addLabels(1))));
    b.add(
        request("", images, steps(20), 2)
            .setConditioning(
                Conditioning.newBuilder()
                    .setInpainting(
                        Inpainting.newBuilder()
                            .setKnown(Tensors.of(picture, 1, new int[] {1, 8, 8}))
                            .setMask(Tensors.of(mask, 1, new int[] {1, 8, 8}))
                            .setParticles(2))));
    b.add(
        request("", colours, steps(20), 1)
            .setConditioning(
                Conditioning.newBuilder()
                    .setColorization(
                        Colorization.newBuilder()
                            .setGray(Tensors.of(grey, 1, new int[] {1, 4, 4})))));
    b.add(
        request(
                "",
                plane,
                SamplerSettings.newBuilder().setKind(SamplerKind.ODE).setRtol(1e-2).setAtol(1e-2),
                2)
            .setLikelihood(
                LikelihoodTask.newBuilder()
                    .setData(Tensors.of(planePoints, 2, new int[] {2}))
                    .setProbes(2)));
    b.add(
        request(
                "",
                plane,
                SamplerSettings.newBuilder().setKind(SamplerKind.ODE).setRtol(1e-2).setAtol(1e-2),
                2)
            .setEncode(
                EncodeTask.newBuilder()
                    .setData(Tensors.of(planePoints, 2, new int[] {2}))
                    .setInterpolate(3)));
    b.add(
        request("", plane, steps(20), 2)
            .setWebhook(
                Webhook.newBuilder().setUrl("https://example.com/hook").addEvents("completed"))
            .setModelVersion("1"));
    List<GenerateRequest> out = new ArrayList<>();
    for (int i = 0; i < b.size(); i++) {
      out.add(b.get(i).setJobId(prefix + "-" + i).build());
    }
    return out;
  }

  /** A cancel of a job. */
  public static Control cancel(String jobId) {
    return Control.newBuilder()
        .setJobId(jobId)
        .setTenant("a")
        .setCancel(Cancel.newBuilder().setReason("fuzz"))
        .build();
  }

  /** A heartbeat of a worker that serves {@code plane}. */
  public WorkerHeartbeat heartbeat(String workerId) {
    return WorkerHeartbeat.newBuilder()
        .setWorkerId(workerId)
        .setHost("h")
        .setActiveJobs(1)
        .setQueuedJobs(2)
        .setSamplesPerSecond(10)
        .setEvaluationsPerSecond(1000)
        .setBatchOccupancy(0.5)
        .setDevice("cpu")
        .setDeviceFallback("CUDA libraries not found on the library path: libcudnn.so.9")
        .setMaxBatch(1024)
        .setTime(io.scorestream.jobs.Times.now())
        .addModels(
            ModelVersion.newBuilder()
                .setName(plane)
                .setVersion("9")
                .addDataShape(2)
                .setSde("vp")
                .setKind("score")
                .putMetadata("scorestream.sde", "vp"))
        .build();
  }

  /** A checkpoint event carrying {@code onnx} whole, and a part of a split one. */
  public static List<com.google.protobuf.Message> checkpoints(String model, byte[] onnx) {
    return List.of(
        CheckpointEvent.newBuilder()
            .setModelName(model)
            .setVersion("2")
            .setTrainStep(1000)
            .setSha256(io.scorestream.jobs.RequestDigest.sha256Hex(onnx))
            .setSizeBytes(onnx.length)
            .setOnnx(com.google.protobuf.ByteString.copyFrom(onnx))
            .setTime(io.scorestream.jobs.Times.now())
            .build(),
        CheckpointPart.newBuilder()
            .setModelName(model)
            .setVersion("3")
            .setIndex(0)
            .setCount(2)
            .setData(com.google.protobuf.ByteString.copyFrom(onnx, 0, Math.min(64, onnx.length)))
            .build());
  }

  /** Events of a job through its life, as a worker writes them. */
  public static List<JobEvent> events(GenerateRequest request) {
    JobEvent.Builder e =
        JobEvent.newBuilder()
            .setJobId(request.getJobId())
            .setAttempt(1)
            .setTime(io.scorestream.jobs.Times.now());
    float[] preview = new float[128];
    return List.of(
        e.clone()
            .setSequence(0)
            .setAccepted(io.scorestream.proto.v1.Accepted.newBuilder().setRequest(request))
            .build(),
        e.clone()
            .setSequence(1)
            .setStarted(Started.newBuilder().setWorkerId("w").setModelVersion("1"))
            .build(),
        e.clone()
            .setSequence(2)
            .setProgress(
                Progress.newBuilder()
                    .setStep(5)
                    .setTotalSteps(20)
                    .setNfe(10)
                    .setPreview(Tensors.of(preview, 2, new int[] {1, 8, 8})))
            .build(),
        e.clone()
            .setSequence(3)
            .setCompleted(
                Completed.newBuilder()
                    .setSamples(Tensors.of(new float[4], 2, new int[] {2}))
                    .setNfe(40))
            .build(),
        e.clone()
            .setSequence(3)
            .setFailed(
                Failed.newBuilder()
                    .setCode("invalid_request")
                    .setField("numSamples")
                    .setReason("no"))
            .build());
  }

  /** The state of a finished job. */
  public static JobState state(GenerateRequest request) {
    return JobState.newBuilder()
        .setJobId(request.getJobId())
        .setTenant("a")
        .setModelName(request.getModelName())
        .setStatus(JobStatus.SUCCEEDED)
        .setAttempt(1)
        .setLastSequence(3)
        .setSummary(io.scorestream.jobs.JobStates.summary(request))
        .setUpdatedAt(io.scorestream.jobs.Times.now())
        .setResult(Completed.newBuilder().setSamples(Tensors.of(new float[4], 2, new int[] {2})))
        .build();
  }

  /** An example of a 2-D dataset. */
  public static DataRecord data(String dataset) {
    return DataRecord.newBuilder()
        .setExampleId("e1")
        .setDataset(dataset)
        .setX(
            Tensors.of(new float[] {0.5f, -0.5f}, 1, new int[] {2}).toBuilder()
                .clearShape()
                .addShape(2))
        .setLabel(1)
        .setNumClasses(2)
        .setRange(ValueRange.newBuilder().setMin(-3).setMax(3))
        .setTime(io.scorestream.jobs.Times.now())
        .build();
  }
}
