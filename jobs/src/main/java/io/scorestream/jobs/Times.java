package io.scorestream.jobs;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Wall-clock time as the {@link Timestamp} the messages carry, and back. */
public final class Times {
  private Times() {}

  /** Now, to the nanosecond the clock gives. */
  public static Timestamp now() {
    return timestamp(Instant.now());
  }

  /** An instant as a message's time. */
  public static Timestamp timestamp(Instant time) {
    return Timestamp.newBuilder()
        .setSeconds(time.getEpochSecond())
        .setNanos(time.getNano())
        .build();
  }

  /** A message's time as an {@link Instant}. */
  public static Instant instant(Timestamp time) {
    return Instant.ofEpochSecond(time.getSeconds(), time.getNanos());
  }
}
