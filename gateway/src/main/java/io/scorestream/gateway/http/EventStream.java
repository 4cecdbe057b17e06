package io.scorestream.gateway.http;

import io.scorestream.gateway.events.EventHub;
import io.scorestream.gateway.events.StreamEvent;
import io.scorestream.gateway.view.JobIndex;
import io.scorestream.proto.v1.JobState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One Server-Sent Events stream of one job: every event from a cursor on, then exactly one final
 * event, then the end. A {@link JobPump} pulls the events as fast as the client takes them; a
 * client stuck for longer than the stall limit is told from where to resume and let go. Comment
 * lines keep idle proxies from closing the stream.
 */
final class EventStream implements JobPump.Sink {
  /** Bytes a client may have waiting in its connection before the stream stops pulling for it. */
  static final int WRITE_QUEUE_BYTES = 1 << 20;

  /**
   * How long a stream waits for a client that takes nothing, and how often it sends a keep-alive.
   */
  record Timing(Duration heartbeat, Duration stall) {}

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final Timing timing;
  private final JobPump pump;
  private long stalledSince;
  private long heartbeatTimer = -1;
  private boolean closed;

  EventStream(
      Vertx vertx,
      HttpServerResponse response,
      EventHub hub,
      JobIndex.Entry entry,
      Supplier<JobIndex.Entry> job,
      long cursor,
      Timing timing) {
    this.vertx = vertx;
    this.response = response;
    this.timing = timing;
    this.pump = new JobPump(vertx.getOrCreateContext(), hub, entry, job, cursor, this);
  }

  void start() {
    response
        .setChunked(true)
        .setWriteQueueMaxSize(WRITE_QUEUE_BYTES)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no"); // nginx: pass events on as they come
    response.write("retry: 2000\n\n");
    response.closeHandler(v -> close());
    response.exceptionHandler(e -> close());
    heartbeatTimer = vertx.setPeriodic(timing.heartbeat().toMillis(), id -> heartbeat());
    pump.start();
  }

  private void heartbeat() {
    if (pump.ended()) {
      return;
    }
    if (response.writeQueueFull()) {
      if (stalledSince == 0) {
        stalledSince = System.nanoTime();
      } else if (System.nanoTime() - stalledSince > timing.stall().toNanos()) {
        behind();
      }
      return;
    }
    response.write(": keep-alive\n\n");
    pump.pump(); // in case a final state came without an event
  }

  @Override
  public boolean full() {
    return response.writeQueueFull();
  }

  @Override
  public void whenDrained(Runnable again) {
    if (stalledSince == 0) {
      stalledSince = System.nanoTime();
    }
    response.drainHandler(
        v -> {
          stalledSince = 0;
          again.run();
        });
  }

  @Override
  public void event(StreamEvent e) {
    response.write("id: " + e.id() + "\nevent: " + e.type() + "\ndata: " + e.data() + "\n\n");
  }

  @Override
  public void finalState(JobState state) {
    response.write("event: state\ndata: " + ProtoJson.print(state) + "\n\n");
  }

  @Override
  public void failed(Throwable error, long lastSent) {
    response.write(
        "event: error\ndata: "
            + notice(
                    lastSent,
                    "the gateway could not read the job's events ("
                        + error.getMessage()
                        + "); reconnect with Last-Event-ID to resume")
                .encode()
            + "\n\n");
  }

  @Override
  public void finished() {
    close();
    response.end();
  }

  /** Tells a client stuck for longer than the stall limit from where to resume, and lets it go. */
  private void behind() {
    response.write(
        "event: behind\ndata: "
            + notice(
                    pump.lastSent(),
                    "this client fell behind the job's events for"
                        + " over "
                        + timing.stall().toSeconds()
                        + " s; reconnect with Last-Event-ID to resume without a gap")
                .encode()
            + "\n\n");
    finished();
  }

  /** A notice that says from which event id a client resumes. */
  static JsonObject notice(long lastSent, String message) {
    return new JsonObject()
        .put("lastEventId", lastSent >= 0 ? Long.toString(lastSent) : "")
        .put("message", message);
  }

  private void close() {
    if (!closed) {
      closed = true;
      pump.stop();
      vertx.cancelTimer(heartbeatTimer);
    }
  }
}
