package io.scorestream.gateway.events;

import com.google.protobuf.ByteString;
import io.scorestream.jobs.JobStates;
import io.scorestream.proto.v1.JobEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One job event as the gateway streams it: where it lies in its partition of {@code job-events}
 * (its stream id, the same on every gateway), what the filters need, and its encoded forms, made
 * once for every client.
 *
 * @param offset the event's offset in its job's partition of job-events
 * @param attempt the attempt it belongs to (0: a refusal of another request under the id)
 * @param digest the digest of the request it belongs to
 * @param type accepted, started, progress, completed, failed or cancelled
 * @param isFinal whether it ends its job
 * @param data the encoded body, with any image preview inline (Server-Sent Events and WebSocket
 *     text frames)
 * @param frame a whole binary WebSocket frame for an event with an image preview ({@link
 *     #frame(String, byte[])}); null for other events
 */
public record StreamEvent(
    long offset,
    int attempt,
    ByteString digest,
    String type,
    boolean isFinal,
    String data,
    byte[] frame) {
  /** Encodes an event's body for clients. */
  @FunctionalInterface
  public interface Encoder {
    Body encode(JobEvent event);
  }

  /**
   * An encoded body.
   *
   * @param data the whole body, as JSON
   * @param slim for an event with an image preview: the body without it, as JSON; otherwise null
   * @param preview the image preview as PNG bytes, or null
   */
  public record Body(String data, String slim, byte[] preview) {}

  /** The stream event of a job event read at {@code offset}. */
  public static StreamEvent of(long offset, JobEvent event, Encoder encoder) {
    Body body = encoder.encode(event);
    String type = event.getEventCase().name().toLowerCase(Locale.ROOT);
    boolean isFinal = JobStates.isFinal(event);
    byte[] frame =
        body.preview() == null
            ? null
            : frame(
                envelope(event.getJobId(), id(offset, isFinal), type, body.slim()), body.preview());
    return new StreamEvent(
        offset, event.getAttempt(), event.getRequestDigest(), type, isFinal, body.data(), frame);
  }

  /**
   * Ends the stream id of a job's final event, so that a client resuming after it learns that
   * nothing follows.
   */
  public static final String FINAL_SUFFIX = ".end";

  /** The cursor of a client that has a job's final event: nothing follows it. */
  public static final long AFTER_FINAL = Long.MIN_VALUE;

  /**
   * Where a stream resumes for a client whose last event had id {@code last}: the next offset, or
   * {@link #AFTER_FINAL} when it was the job's final event.
   *
   * @throws NumberFormatException when {@code last} is not an event id
   */
  public static long cursorAfter(String last) {
    String id = last.trim();
    if (id.endsWith(FINAL_SUFFIX)) {
      return AFTER_FINAL;
    }
    long cursor = Long.parseLong(id) + 1;
    if (cursor <= 0) {
      throw new NumberFormatException("not an event id: " + id);
    }
    return cursor;
  }

  /** This event's stream id: its offset, with {@link #FINAL_SUFFIX} for a job's final event. */
  public String id() {
    return id(offset, isFinal);
  }

  private static String id(long offset, boolean isFinal) {
    return offset + (isFinal ? FINAL_SUFFIX : "");
  }

  /**
   * This event as one JSON message of a stream that carries many jobs: {@code {jobId, id, event,
   * data}}.
   */
  public String envelope(String jobId) {
    return envelope(jobId, id(), type, data);
  }

  static String envelope(String jobId, String id, String type, String json) {
    return "{\"jobId\":"
        + io.vertx.core.json.Json.encode(jobId)
        + ",\"id\":\""
        + id
        + "\",\"event\":\""
        + type
        + "\",\"data\":"
        + json
        + "}";
  }

  /**
   * A binary frame: a 4-byte big-endian length, that many bytes of UTF-8 JSON (the {@link
   * #envelope} of the event without its preview), then the preview's PNG bytes.
   */
  static byte[] frame(String header, byte[] png) {
    byte[] head = header.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + head.length + png.length)
        .putInt(head.length)
        .put(head)
        .put(png)
        .array();
  }

  /**
   * True when this event belongs to the job whose request has {@code digest}: events of another
   * request under the same id (a refused reuse) and refusals of bytes that were no request (attempt
   * 0) are not the job's.
   */
  public boolean belongsTo(ByteString jobDigest) {
    return attempt > 0 && (digest.isEmpty() || jobDigest.isEmpty() || digest.equals(jobDigest));
  }

  /** Roughly what this event holds in memory. */
  long bytes() {
    return data.length() + (frame == null ? 0 : frame.length) + 96L;
  }
}
