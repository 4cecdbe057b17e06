package io.scorestream.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test's WebSocket to the gateway's {@code /v1/stream}: what it receives, in order, awaited one
 * by one.
 */
final class Socket implements AutoCloseable {
  /** One message: a text frame's JSON, or a binary frame split into its JSON header and its PNG. */
  record Message(JsonObject json, byte[] png) {
    String jobId() {
      return json.getString("jobId");
    }

    String event() {
      return json.getString("event");
    }
  }

  private final WebSocket ws;
  private final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
  private volatile boolean closed;

  private Socket(WebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(text -> received.add(new Message(new JsonObject(text), null)));
    ws.binaryMessageHandler(this::binary);
    ws.closeHandler(v -> closed = true);
  }

  /** Opens a socket; with a key, sent in the Authorization header. */
  static Socket open(Vertx vertx, int port, String key) throws Exception {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/stream");
    if (key != null) {
      options.addHeader("Authorization", "Bearer " + key);
    }
    return vertx
        .createWebSocketClient()
        .connect(options)
        .map(Socket::new)
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private void binary(Buffer frame) {
    int length = frame.getInt(0);
    JsonObject header =
        new JsonObject(frame.getString(4, 4 + length, StandardCharsets.UTF_8.name()));
    received.add(new Message(header, frame.getBytes(4 + length, frame.length())));
  }

  void send(JsonObject message) throws Exception {
    sendText(message.encode());
  }

  /** Sends any text, JSON or not. */
  void sendText(String text) throws Exception {
    ws.writeTextMessage(text).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The next message, or null when none came within {@code wait}. */
  Message next(Duration wait) throws InterruptedException {
    return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits until the server closed the socket; its close code, or null when it stayed open. */
  Short closedWith(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!closed && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return closed ? ws.closeStatusCode() : null;
  }

  String closeReason() {
    return ws.closeReason();
  }

  @Override
  public void close() {
    ws.close();
  }
}
