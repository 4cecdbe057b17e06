package io.scorestream.gateway.http;

import com.google.protobuf.ByteString;
import io.scorestream.gateway.events.EventHub;
import io.scorestream.gateway.events.StreamEvent;
import io.scorestream.gateway.view.JobIndex;
import io.scorestream.jobs.Times;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * One Server-Sent Events stream of one job: every event from a cursor on, then exactly one final event, then the
 * end. It pulls from the {@link EventHub} only while the client takes what it is sent, so a slow client holds no
 * buffer beyond its connection's bounded write queue and slows no one; a client stuck for longer than the stall
 * limit is told from where to resume and let go. Comment lines keep idle proxies from closing the stream.
 */
final class EventStream {
  /** Held events taken per turn of the event loop. */
  private static final int BATCH = 64;
  /** Bytes a client may have waiting in its connection before the stream stops pulling for it. */
  static final int WRITE_QUEUE_BYTES = 1 << 20;
  /** A final state older than this with no final event in the log: the events aged out, the state speaks. */
  private static final Duration FINAL_STATE_GRACE = Duration.ofSeconds(30);

  /** How long a stream waits for a client that takes nothing, and how often it sends a keep-alive comment. */
  record Timing(Duration heartbeat, Duration stall) {}

  private final Vertx vertx;
  private final Context context;
  private final HttpServerResponse response;
  private final EventHub hub;
  private final String jobId;
  private final Instant submittedAt;
  private final ByteString digest;
  private final Supplier<JobIndex.Entry> job;
  private final Timing timing;
  private long cursor;
  private long lastSent = -1;
  private boolean pumping;
  private boolean wakeQueued;
  private boolean ended;
  private long stalledSince;
  private Runnable unlisten = () -> { };
  private long heartbeatTimer = -1;

  EventStream(Vertx vertx, HttpServerResponse response, EventHub hub, JobIndex.Entry entry,
      Supplier<JobIndex.Entry> job, long cursor, Timing timing) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.response = response;
    this.hub = hub;
    this.jobId = entry.state().getJobId();
    this.submittedAt = Times.instant(entry.state().getSummary().getSubmittedAt());
    this.digest = entry.state().getRequestDigest();
    this.job = job;
    this.cursor = cursor;
    this.lastSent = cursor - 1;
    this.timing = timing;
  }

  void start() {
    response.setChunked(true).setWriteQueueMaxSize(WRITE_QUEUE_BYTES)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");          // nginx: pass events on as they come
    response.write("retry: 2000\n\n");
    response.closeHandler(v -> stop());
    response.exceptionHandler(e -> stop());
    unlisten = hub.listen(jobId, this::wake);
    heartbeatTimer = vertx.setPeriodic(timing.heartbeat().toMillis(), id -> heartbeat());
    pump();
  }

  /** From the hub's thread: schedules one pump on this stream's event loop. */
  private void wake() {
    synchronized (this) {
      if (wakeQueued) {
        return;
      }
      wakeQueued = true;
    }
    context.runOnContext(v -> {
      synchronized (this) {
        wakeQueued = false;
      }
      pump();
    });
  }

  private void heartbeat() {
    if (ended) {
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
    pump();   // in case a final state came without an event
  }

  private void pump() {
    if (ended || pumping) {
      return;
    }
    if (response.writeQueueFull()) {
      if (stalledSince == 0) {
        stalledSince = System.nanoTime();
      }
      response.drainHandler(v -> {
        stalledSince = 0;
        pump();
      });
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
        context.runOnContext(v -> pump());   // more are waiting: let other work run between batches
      } else if (held.events().isEmpty()) {
        endWithStateIfFinal();
      }
    } else if (next instanceof EventHub.Replay replay) {
      pumping = true;
      replay.events().whenComplete((events, error) -> context.runOnContext(v -> {
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
      response.write("id: " + id(e) + "\nevent: " + e.type() + "\ndata: " + e.data() + "\n\n");
      if (e.isFinal()) {
        end();
      }
    }
  }

  /**
   * An event's id: its offset, with {@link #FINAL_SUFFIX} for the final one, so that a client reconnecting after it
   * (as EventSource does after every close) is answered 204 and stops.
   */
  static String id(StreamEvent e) {
    return e.offset() + (e.isFinal() ? FINAL_SUFFIX : "");
  }

  /** Ends the id of a job's final event. */
  static final String FINAL_SUFFIX = ".end";

  /** A job whose final state is long written but whose final event is not in the log (aged out): the state ends it. */
  private void endWithStateIfFinal() {
    JobIndex.Entry now = job.get();
    if (now == null || !now.isFinal()
        || Times.instant(now.state().getUpdatedAt()).isAfter(Instant.now().minus(FINAL_STATE_GRACE))) {
      return;
    }
    response.write("event: state\ndata: " + ProtoJson.print(now.state()) + "\n\n");
    end();
  }

  private void behind() {
    JsonObject notice = new JsonObject().put("lastEventId", lastSent >= 0 ? Long.toString(lastSent) : "")
        .put("message", "this client fell behind the job's events for over " + timing.stall().toSeconds()
            + " s; reconnect with Last-Event-ID to resume without a gap");
    response.write("event: behind\ndata: " + notice.encode() + "\n\n");
    end();
  }

  private void fail(Throwable e) {
    if (ended) {
      return;
    }
    JsonObject notice = new JsonObject().put("lastEventId", lastSent >= 0 ? Long.toString(lastSent) : "")
        .put("message", "the gateway could not read the job's events (" + e.getMessage()
            + "); reconnect with Last-Event-ID to resume");
    response.write("event: error\ndata: " + notice.encode() + "\n\n");
    end();
  }

  private void end() {
    if (!ended) {
      stop();
      response.end();
    }
  }

  private void stop() {
    ended = true;
    unlisten.run();
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
  }
}
