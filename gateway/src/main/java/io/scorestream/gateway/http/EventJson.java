package io.scorestream.gateway.http;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.gateway.events.StreamEvent;
import io.scorestream.jobs.KnownValues;
import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.formats.PngGrid;
import io.scorestream.proto.v1.Accepted;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.Started;
import io.scorestream.proto.v1.Tensor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;

/**
 * A job event as clients receive it: the protobuf JSON mapping of {@link JobEvent}, with two
 * changes that keep streams compact. An image preview ({@code [M, 1|3, H, W]}) travels as an 8-bit
 * PNG data URL in {@code progress.previewPng}; any other preview stays a float32 tensor (base64
 * little-endian bytes, the mapping of {@code Tensor}); the body without the image and the PNG bytes
 * are kept beside it for binary WebSocket frames. A completed event names its result's URL instead
 * of carrying the samples, which can be megabytes.
 */
public final class EventJson implements StreamEvent.Encoder {
  @Override
  public StreamEvent.Body encode(JobEvent event) {
    try {
      return whole(event);
    } catch (RuntimeException e) {
      // a value no JSON can carry (a time out of range, a preview whose bytes do not fit its
      // shape): the event still reaches its clients, as its type, numbering and (for a failure)
      // reason
      return new StreamEvent.Body(ProtoJson.print(bare(event)), null, null);
    }
  }

  /**
   * The event with only what always prints: its job, numbering, digest, type and a failure's
   * payload.
   */
  static JobEvent bare(JobEvent event) {
    JobEvent.Builder b =
        JobEvent.newBuilder()
            .setJobId(event.getJobId())
            .setAttempt(event.getAttempt())
            .setSequence(event.getSequence())
            .setRequestDigest(event.getRequestDigest());
    if (KnownValues.valid(event.getTime())) {
      b.setTime(event.getTime());
    }
    switch (event.getEventCase()) {
      case ACCEPTED -> b.setAccepted(Accepted.getDefaultInstance());
      case STARTED ->
          b.setStarted(
              Started.newBuilder()
                  .setWorkerId(event.getStarted().getWorkerId())
                  .setModelVersion(event.getStarted().getModelVersion()));
      case PROGRESS -> b.setProgress(event.getProgress().toBuilder().clearPreview());
      case COMPLETED ->
          b.setCompleted(
              event.getCompleted().toBuilder().clearSamples().clearValues().clearStandardErrors());
      case FAILED -> b.setFailed(event.getFailed());
      case CANCELLED -> b.setCancelled(event.getCancelled());
      case EVENT_NOT_SET -> {}
    }
    return b.build();
  }

  private StreamEvent.Body whole(JobEvent event) {
    Tensor preview =
        event.hasProgress() && event.getProgress().hasPreview()
            ? event.getProgress().getPreview()
            : null;
    boolean image = preview != null && isImage(preview);
    if (!image && !event.hasCompleted()) {
      return new StreamEvent.Body(
          ProtoJson.print(event), null, null); // most events: the mapping as it is
    }
    JobEvent.Builder slim = event.toBuilder();
    if (image) {
      slim.getProgressBuilder().clearPreview();
    }
    if (event.hasCompleted()) {
      slim.getCompletedBuilder().clearSamples();
    }
    JsonObject json = new JsonObject(ProtoJson.print(slim.build()));
    if (event.hasCompleted()) {
      JsonObject completed = json.getJsonObject("completed");
      if (event.getCompleted().hasSamples()) {
        completed.put(
            "resultShape", new JsonArray(event.getCompleted().getSamples().getShapeList()));
      }
      completed.put("result", "/v1/jobs/" + event.getJobId() + "/result");
    }
    if (!image) {
      return new StreamEvent.Body(json.encode(), null, null);
    }
    byte[] png = png(preview);
    JsonObject progress =
        json.getJsonObject("progress").put("previewShape", new JsonArray(preview.getShapeList()));
    String slimJson = json.encode();
    progress.put("previewPng", "data:image/png;base64," + Base64.getEncoder().encodeToString(png));
    return new StreamEvent.Body(json.encode(), slimJson, png);
  }

  /**
   * Image samples: {@code [M, C, H, W]} whose sample shape is an image's ({@link
   * ModelInfo#isImageShape}).
   */
  static boolean isImage(Tensor t) {
    return ModelInfo.isImageShape(
        t.getShapeList().stream().skip(1).mapToInt(Long::intValue).toArray());
  }

  static byte[] png(Tensor t) {
    int[] sample = {(int) t.getShape(1), (int) t.getShape(2), (int) t.getShape(3)};
    return PngGrid.encode(Tensors.floats(t), (int) t.getShape(0), sample);
  }
}
