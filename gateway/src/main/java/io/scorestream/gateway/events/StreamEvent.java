package io.scorestream.gateway.events;

import com.google.protobuf.ByteString;
import io.scorestream.jobs.JobStates;
import io.scorestream.proto.v1.JobEvent;
import java.util.Locale;

/**
 * One job event as the gateway streams it: where it lies in its partition of {@code job-events} (its stream id,
 * the same on every gateway), what the filters need, and its encoded body, made once for every client.
 *
 * @param offset  the event's offset in its job's partition of job-events
 * @param attempt the attempt it belongs to (0: a refusal of another request under the id)
 * @param digest  the digest of the request it belongs to
 * @param type    accepted, started, progress, completed, failed or cancelled
 * @param isFinal whether it ends its job
 * @param data    the encoded body
 */
public record StreamEvent(long offset, int attempt, ByteString digest, String type, boolean isFinal, String data) {
  /** Encodes an event's body for clients. */
  @FunctionalInterface
  public interface Encoder {
    String encode(JobEvent event);
  }

  /** The stream event of a job event read at {@code offset}. */
  public static StreamEvent of(long offset, JobEvent event, Encoder encoder) {
    return new StreamEvent(offset, event.getAttempt(), event.getRequestDigest(),
        event.getEventCase().name().toLowerCase(Locale.ROOT), JobStates.isFinal(event), encoder.encode(event));
  }

  /**
   * True when this event belongs to the job whose request has {@code digest}: events of another request under the
   * same id (a refused reuse) and refusals of bytes that were no request (attempt 0) are not the job's.
   */
  public boolean belongsTo(ByteString jobDigest) {
    return attempt > 0 && (digest.isEmpty() || jobDigest.isEmpty() || digest.equals(jobDigest));
  }

  /** Roughly what this event holds in memory. */
  long bytes() {
    return 2L * data.length() + 96;
  }
}
