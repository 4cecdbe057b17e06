package io.scorestream.gateway.http;

import io.scorestream.gateway.auth.Tenant;
import io.scorestream.gateway.auth.Tenants;
import io.scorestream.gateway.events.EventHub;
import io.scorestream.gateway.events.StreamEvent;
import io.scorestream.gateway.view.JobIndex;
import io.scorestream.proto.v1.JobState;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /v1/stream}: one WebSocket that carries the events of many jobs of one tenant. The client
 * subscribes to jobs ({@code {"op":"subscribe","jobId":..., "lastEventId":...}}) and unsubscribes;
 * each event comes as a text frame {@code {jobId, id, event, data}} with the same id and data as
 * the job's Server-Sent Events, except that an event with an image preview comes as a binary frame
 * ({@link StreamEvent#frame}: its header, then the PNG). A browser, which cannot set headers on a
 * WebSocket, sends {@code {"op":"auth","apiKey":...}} first.
 *
 * <p>Every subscription pulls through its own {@link JobPump} while the socket's write queue has
 * room; a socket stuck for longer than the stall limit is told, per job, from where to resume, and
 * closed.
 */
final class JobSocket {
  /** Subscriptions one socket may hold at once. */
  static final int MAX_SUBSCRIPTIONS = 1000;

  /** How long an unauthenticated socket may wait before it sends its key. */
  private static final Duration AUTH_WAIT = Duration.ofSeconds(10);

  /**
   * Close codes: policy violation (no or bad key), and the application's own for a client that fell
   * behind.
   */
  private static final short POLICY = 1008;

  private static final short BEHIND = 4000;

  private final Vertx vertx;
  private final Context context;
  private final ServerWebSocket socket;
  private final Tenants tenants;
  private final JobIndex index;
  private final EventHub hub;
  private final EventStream.Timing timing;
  private final Map<String, JobPump> subscriptions = new LinkedHashMap<>();
  private final Set<Runnable> waitingForDrain = new LinkedHashSet<>();
  private Tenant tenant;
  private long timer = -1;
  private long stalledSince;
  private boolean closed;

  JobSocket(
      Vertx vertx,
      ServerWebSocket socket,
      Tenant tenant,
      Tenants tenants,
      JobIndex index,
      EventHub hub,
      EventStream.Timing timing) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.socket = socket;
    this.tenant = tenant;
    this.tenants = tenants;
    this.index = index;
    this.hub = hub;
    this.timing = timing;
  }

  void start() {
    socket.setWriteQueueMaxSize(EventStream.WRITE_QUEUE_BYTES);
    socket.textMessageHandler(this::message);
    socket.binaryMessageHandler(
        b -> error(null, "bad_message", "send JSON text messages, not binary ones"));
    socket.drainHandler(v -> drained());
    socket.closeHandler(v -> stop());
    socket.exceptionHandler(e -> stop());
    timer = vertx.setPeriodic(timing.heartbeat().toMillis(), id -> heartbeat());
    if (tenant == null) {
      vertx.setTimer(
          AUTH_WAIT.toMillis(),
          id -> {
            if (tenant == null && !closed) {
              socket.close(POLICY, "no API key within " + AUTH_WAIT.toSeconds() + " s");
            }
          });
    }
  }

  private void message(String text) {
    JsonObject m;
    try {
      m = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      error(
          null,
          "bad_message",
          "messages are JSON objects with an op: auth, subscribe or unsubscribe");
      return;
    }
    Object op = m.getValue("op");
    Object jobIdValue = m.getValue("jobId");
    String jobId = jobIdValue instanceof String s ? s : null;
    if ("auth".equals(op)) {
      auth(m.getValue("apiKey"));
    } else if (tenant == null) {
      socket.close(POLICY, "send {\"op\":\"auth\",\"apiKey\":...} first");
    } else if (!"subscribe".equals(op) && !"unsubscribe".equals(op)) {
      error(
          jobId,
          "bad_message",
          "op must be auth, subscribe or unsubscribe, got " + ApiError.clip(String.valueOf(op)));
    } else if (jobId == null || jobId.isEmpty()) {
      error(null, "bad_message", "jobId", op + " needs a jobId (a string)");
    } else if ("unsubscribe".equals(op)) {
      JobPump pump = subscriptions.remove(jobId);
      if (pump != null) {
        pump.stop();
      }
    } else {
      subscribe(jobId, m.getValue("lastEventId"));
    }
  }

  private void auth(Object key) {
    if (tenant != null) {
      error(null, "bad_message", "this socket is authenticated already");
      return;
    }
    var found =
        key instanceof String s ? tenants.authenticate("Bearer " + s) : Optional.<Tenant>empty();
    if (found.isEmpty()) {
      socket.close(POLICY, "this API key is not known here");
      return;
    }
    tenant = found.get();
  }

  private void subscribe(String jobId, Object lastEventId) {
    var entry = index.get(jobId).filter(e -> e.tenant().equals(tenant.name()));
    if (entry.isEmpty()) {
      error(jobId, "not_found", "jobId", "no job " + ApiError.clip(jobId) + " of this tenant");
      return;
    }
    if (subscriptions.containsKey(jobId)) {
      error(
          jobId,
          "already_subscribed",
          "jobId",
          "this socket follows job " + ApiError.clip(jobId) + " already");
      return;
    }
    if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
      error(
          jobId,
          "too_many_subscriptions",
          "one socket follows at most "
              + MAX_SUBSCRIPTIONS
              + " jobs at once; unsubscribe from some, or open another socket");
      return;
    }
    long cursor = -1;
    if (lastEventId != null) {
      String last = lastEventId.toString();
      try {
        cursor = StreamEvent.cursorAfter(last);
      } catch (NumberFormatException e) {
        error(
            jobId,
            "bad_message",
            "lastEventId",
            "lastEventId must be the id of an event of this job, got '"
                + ApiError.clip(last.trim())
                + "'");
        return;
      }
      if (cursor == StreamEvent.AFTER_FINAL) {
        send(
            new JsonObject()
                .put("jobId", jobId)
                .put("event", "end")); // the client has the final event
        return;
      }
    }
    JobPump pump =
        new JobPump(
            context,
            hub,
            entry.get(),
            () -> index.get(jobId).orElse(null),
            cursor,
            new Subscription(jobId));
    subscriptions.put(jobId, pump);
    pump.start();
  }

  /** One job's share of the socket. */
  private final class Subscription implements JobPump.Sink {
    private final String jobId;

    Subscription(String jobId) {
      this.jobId = jobId;
    }

    @Override
    public boolean full() {
      return socket.writeQueueFull();
    }

    @Override
    public void whenDrained(Runnable again) {
      if (stalledSince == 0) {
        stalledSince = System.nanoTime();
      }
      waitingForDrain.add(again);
    }

    @Override
    public void event(StreamEvent e) {
      if (e.frame() != null) {
        socket.writeBinaryMessage(Buffer.buffer(e.frame()));
      } else {
        socket.writeTextMessage(e.envelope(jobId));
      }
    }

    @Override
    public void finalState(JobState state) {
      socket.writeTextMessage(
          "{\"jobId\":"
              + io.vertx.core.json.Json.encode(jobId)
              + ",\"event\":\"state\",\"data\":"
              + ProtoJson.print(state)
              + "}");
    }

    @Override
    public void failed(Throwable error, long lastSent) {
      send(
          new JsonObject()
              .put("jobId", jobId)
              .put("event", "error")
              .put(
                  "data",
                  EventStream.notice(
                      lastSent,
                      "the gateway could not read the job's events ("
                          + error.getMessage()
                          + "); subscribe again with lastEventId to resume")));
    }

    @Override
    public void finished() {
      subscriptions.remove(jobId);
    }
  }

  private void drained() {
    stalledSince = 0;
    var again = List.copyOf(waitingForDrain);
    waitingForDrain.clear();
    again.forEach(Runnable::run);
  }

  private void heartbeat() {
    if (closed) {
      return;
    }
    if (socket.writeQueueFull()) {
      if (stalledSince == 0) {
        stalledSince = System.nanoTime();
      } else if (System.nanoTime() - stalledSince > timing.stall().toNanos()) {
        behind();
      }
      return;
    }
    socket.writePing(Buffer.buffer());
    List.copyOf(subscriptions.values())
        .forEach(JobPump::pump); // final states that came without events
  }

  /**
   * Tells a client stuck for longer than the stall limit, per job, from where to resume, and closes
   * the socket.
   */
  private void behind() {
    subscriptions.forEach(
        (jobId, pump) ->
            send(
                new JsonObject()
                    .put("jobId", jobId)
                    .put("event", "behind")
                    .put(
                        "data",
                        EventStream.notice(
                            pump.lastSent(),
                            "this client fell behind for over "
                                + timing.stall().toSeconds()
                                + " s; subscribe again with lastEventId to resume without a gap"))));
    stop();
    socket.close(BEHIND, "fell behind");
  }

  private void error(String jobId, String code, String message) {
    error(jobId, code, null, message);
  }

  private void error(String jobId, String code, String field, String message) {
    JsonObject error = new JsonObject().put("code", code).put("message", message);
    if (field != null) {
      error.put("field", field);
    }
    JsonObject m = new JsonObject();
    if (jobId != null) {
      m.put("jobId", ApiError.clip(jobId));
    }
    send(m.put("event", "error").put("error", error));
  }

  private void send(JsonObject message) {
    if (!closed) {
      socket.writeTextMessage(message.encode());
    }
  }

  private void stop() {
    if (!closed) {
      closed = true;
      vertx.cancelTimer(timer);
      subscriptions.values().forEach(JobPump::stop);
      subscriptions.clear();
      waitingForDrain.clear();
    }
  }
}
