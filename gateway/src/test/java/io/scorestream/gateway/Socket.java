package io.scorestream.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

  private final WebSocketClient client; // held: a client nothing refers to is closed when collected
  private final WebSocket ws;
  private final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private Socket(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(text -> received.add(new Message(new JsonObject(text), null)));
    ws.binaryMessageHandler(this::binary);
    ws.closeHandler(v -> closed.complete(null));
  }

  /** Opens a socket; with a key, sent in the Authorization header. */
  static Socket open(Vertx vertx, int port, String key) throws Exception {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/stream");
    if (key != null) {
      options.addHeader("Authorization", "Bearer " + key);
    }
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      return client
          .connect(options)
          .map(ws -> new Socket(client, ws))
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException refused) {
      client.close();
      throw refused;
    }
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
  Short closedWith(Duration wait) throws InterruptedException, ExecutionException {
    try {
      closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return ws.closeStatusCode();
    } catch (TimeoutException stillOpen) {
      return null;
    }
  }

  String closeReason() {
    return ws.closeReason();
  }

  @Override
  public void close() {
    ws.close().eventually(client::close);
  }
}
