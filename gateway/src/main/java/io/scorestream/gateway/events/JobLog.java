package io.scorestream.gateway.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The events of one job that the gateway holds, in offset order. Every event of the job at or after
 * {@link #from()} is here: when the oldest are dropped to bound memory, {@code from} moves past
 * them, and a reader that wants them reads them back from Kafka.
 */
final class JobLog {
  private final ArrayDeque<StreamEvent> events = new ArrayDeque<>();
  private long from;
  private long bytes;
  private boolean ended;
  private long touched;

  /**
   * The final events seen (a job's own, and refusals of other requests under its id), kept through
   * trims.
   */
  private final List<StreamEvent> finals = new ArrayList<>(1);

  JobLog(long from, long now) {
    this.from = from;
    this.touched = now;
  }

  synchronized long from() {
    return from;
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized boolean ended() {
    return ended;
  }

  synchronized long touched() {
    return touched;
  }

  synchronized void append(StreamEvent e, long now) {
    if (e.offset() < from || !events.isEmpty() && e.offset() <= events.peekLast().offset()) {
      return; // read twice (the tail was repositioned): held already
    }
    events.addLast(e);
    bytes += e.bytes();
    ended |= e.isFinal();
    if (e.isFinal()) {
      finals.add(e);
    }
    touched = now;
  }

  /** The final event of the job whose request has this digest, if one was read. */
  synchronized Optional<StreamEvent> finalOf(com.google.protobuf.ByteString digest) {
    return finals.stream().filter(e -> e.belongsTo(digest)).findFirst();
  }

  /**
   * Up to {@code max} events at or after {@code cursor}; {@code cursor} must not be before {@link
   * #from()}.
   */
  synchronized List<StreamEvent> after(long cursor, int max, long now) {
    touched = now;
    List<StreamEvent> out = new ArrayList<>();
    for (StreamEvent e : events) {
      if (e.offset() >= cursor) {
        out.add(e);
        if (out.size() == max) {
          break;
        }
      }
    }
    return out;
  }

  /** Drops the oldest events until at most {@code maxBytes} are held; returns the bytes freed. */
  synchronized long trimTo(long maxBytes) {
    long freed = 0;
    while (bytes > maxBytes && !events.isEmpty()) {
      StreamEvent dropped = events.removeFirst();
      bytes -= dropped.bytes();
      freed += dropped.bytes();
      from = dropped.offset() + 1;
    }
    return freed;
  }
}
