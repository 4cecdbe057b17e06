package io.scorestream.gateway.http;

import com.google.protobuf.ByteString;
import io.scorestream.gateway.events.EventHub;
import io.scorestream.gateway.events.StreamEvent;
import io.scorestream.gateway.view.JobIndex;
import io.scorestream.jobs.Times;
import io.scorestream.proto.v1.JobState;
import io.vertx.core.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * Moves one job's events from the {@link EventHub} to one client, in order, each once, from a
 * cursor on, up to and including the job's final event. It pulls only while the client's connection
 * takes what it is sent, so a slow client holds no buffer beyond its connection's bounded write
 * queue and slows no one. Every method runs on the client's event loop; the hub's wake-ups are
 * handed over to it.
 */
final class JobPump {
  /** Held events taken per turn of the event loop. */
  private static final int BATCH = 64;

  /**
   * A final state older than this with no final event in the log: the events aged out, the state
   * speaks.
   */
  private static final Duration FINAL_STATE_GRACE = Duration.ofSeconds(30);

  /** Where the events go: an SSE response, or one job's share of a WebSocket. */
  interface Sink {
    /** True while the connection's write queue is full. */
    boolean full();

    /** Runs {@code again} (on the event loop) once the connection's write queue has room. */
    void whenDrained(Runnable again);

    /** Sends one event of the job. */
    void event(StreamEvent event);

    /**
     * Sends a final state that has no final event left in the log; the job's stream ends after it.
     */
    void finalState(JobState state);

    /** Says that the events could not be read, and from which event id a client may resume. */
    void failed(Throwable error, long lastSent);

    /** The job's stream has ended: after its final event or state, or a failure. */
    void finished();
  }

  private final Context context;
  private final EventHub hub;
  private final String jobId;
  private final Instant submittedAt;
  private final ByteString digest;
  private final Supplier<JobIndex.Entry> job;
  private final Sink sink;
  private long cursor;
  private long lastSent;
  private boolean pumping;
  private boolean wakeQueued;
  private boolean ended;
  private Runnable unlisten = () -> {};

  /**
   * @param entry the job as the index knows it when the stream starts
   * @param job the job as the index knows it now
   * @param cursor the offset of the first event wanted, or -1 for the job's first
   */
  JobPump(
      Context context,
      EventHub hub,
      JobIndex.Entry entry,
      Supplier<JobIndex.Entry> job,
      long cursor,
      Sink sink) {
    this.context = context;
    this.hub = hub;
    this.jobId = entry.state().getJobId();
    this.submittedAt = Times.instant(entry.state().getSummary().getSubmittedAt());
    this.digest = entry.state().getRequestDigest();
    this.job = job;
    this.sink = sink;
    this.cursor = cursor;
    this.lastSent = cursor - 1;
  }

  void start() {
    unlisten = hub.listen(jobId, this::wake);
    pump();
  }

  /** The offset of the last event sent, or -1 when none was. */
  long lastSent() {
    return lastSent;
  }

  boolean ended() {
    return ended;
  }

  /** Stops pulling: the client went away or was let go. */
  void stop() {
    ended = true;
    unlisten.run();
  }

  /** From the hub's thread: schedules one pump on the client's event loop. */
  private void wake() {
    synchronized (this) {
      if (wakeQueued) {
        return;
      }
      wakeQueued = true;
    }
    context.runOnContext(
        v -> {
          synchronized (this) {
            wakeQueued = false;
          }
          pump();
        });
  }

  /** Sends what is there to send, as far as the client takes it. */
  void pump() {
    if (ended || pumping) {
      return;
    }
    if (sink.full()) {
      sink.whenDrained(this::pump);
      return;
    }
    EventHub.Next next;
    try {
      next = hub.next(jobId, cursor, submittedAt, BATCH);
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    if (next instanceof EventHub.Held held) {
      send(held.events());
      if (ended) {
        return;
      }
      if (held.events().size() == BATCH) {
        context.runOnContext(v -> pump()); // more are waiting: let other work run between batches
      } else if (held.events().isEmpty()) {
        endWithStateIfFinal();
      }
    } else if (next instanceof EventHub.Replay replay) {
      pumping = true;
      replay
          .events()
          .whenComplete(
              (events, error) ->
                  context.runOnContext(
                      v -> {
                        pumping = false;
                        if (error != null) {
                          fail(error);
                          return;
                        }
                        send(events);
                        if (!ended) {
                          cursor = Math.max(cursor, replay.upTo());
                          pump();
                        }
                      }));
    }
  }

  private void send(List<StreamEvent> events) {
    for (StreamEvent e : events) {
      if (ended) {
        return;
      }
      cursor = Math.max(cursor, e.offset() + 1);
      if (e.offset() <= lastSent || !e.belongsTo(digest)) {
        continue;
      }
      lastSent = e.offset();
      sink.event(e);
      if (e.isFinal()) {
        finish();
      }
    }
  }

  /**
   * A job whose final state is long written but whose final event is not in the log (aged out): the
   * state ends it.
   */
  private void endWithStateIfFinal() {
    JobIndex.Entry now = job.get();
    if (now == null
        || !now.isFinal()
        || Times.instant(now.state().getUpdatedAt())
            .isAfter(Instant.now().minus(FINAL_STATE_GRACE))) {
      return;
    }
    sink.finalState(now.state());
    finish();
  }

  private void fail(Throwable e) {
    if (!ended) {
      sink.failed(e, lastSent);
      finish();
    }
  }

  private void finish() {
    stop();
    sink.finished();
  }
}
