package io.scorestream.jobs;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Wall-clock time as the {@link Timestamp} the messages carry, and back. */
public final class Times {
  private Times() {}

  /** Now, to the nanosecond the clock gives. */
  public static Timestamp now() {
    Instant now = Instant.now();
    return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
  }

  /** A message's time as an {@link Instant}. */
  public static Instant instant(Timestamp time) {
    return Instant.ofEpochSecond(time.getSeconds(), time.getNanos());
  }
}
