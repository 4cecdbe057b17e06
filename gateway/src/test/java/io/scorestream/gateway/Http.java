package io.scorestream.gateway;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test's HTTP client of the gateway: Vert.x's client, each call awaited so a test reads top to
 * bottom.
 */
final class Http {
  /** One answer. */
  record Answer(int status, MultiMap headers, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }

    JsonObject error() {
      return json().getJsonObject("error");
    }
  }

  /** One server-sent event. */
  record Event(String id, String type, String data) {
    JsonObject json() {
      return new JsonObject(data);
    }
  }

  /** A whole event stream as it ended (or as far as it got within the time allowed). */
  record Stream(int status, List<Event> events) {}

  private final HttpClient client;
  private final int port;

  Http(Vertx vertx, int port) {
    this.client = vertx.createHttpClient();
    this.port = port;
  }

  Answer call(HttpMethod method, String path, String key, String body, String... headers)
      throws Exception {
    RequestOptions options =
        new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path);
    if (key != null) {
      options.addHeader("Authorization", "Bearer " + key);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      options.addHeader(headers[i], headers[i + 1]);
    }
    Future<Answer> answer =
        client
            .request(options)
            .compose(
                req ->
                    (body == null
                            ? req.send()
                            : (req.headers().contains("Content-Type")
                                    ? req
                                    : req.putHeader("Content-Type", "application/json"))
                                .send(body))
                        .compose(
                            resp ->
                                resp.body()
                                    .map(b -> new Answer(resp.statusCode(), resp.headers(), b))));
    return answer.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  Answer get(String path, String key) throws Exception {
    return call(HttpMethod.GET, path, key, null);
  }

  Answer post(String path, String key, String body, String... headers) throws Exception {
    return call(HttpMethod.POST, path, key, body, headers);
  }

  /** Reads an event stream until the server ends it, or until {@code timeout}. */
  Stream events(String path, String key, String lastEventId, Duration timeout) throws Exception {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI(path)
            .addHeader("Authorization", "Bearer " + key)
            .addHeader("Accept", "text/event-stream");
    if (lastEventId != null) {
      options.addHeader("Last-Event-ID", lastEventId);
    }
    // the whole body: a stream is read until the server ends it (a response that ended already,
    // such as a 204, has no chunks left for a handler set late, but its body is still there)
    Future<Stream> done =
        client
            .request(options)
            .compose(req -> req.send())
            .compose(
                (HttpClientResponse resp) ->
                    resp.body().map(b -> new Stream(resp.statusCode(), parse(b))));
    return done.toCompletionStage()
        .toCompletableFuture()
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static List<Event> parse(Buffer body) {
    List<Event> events = new ArrayList<>();
    for (String frame : body.toString().split("\n\n")) {
      String id = null;
      String type = "message";
      StringBuilder data = new StringBuilder();
      for (String line : frame.split("\n")) {
        if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
      if (data.length() > 0) {
        events.add(new Event(id, type, data.toString()));
      }
    }
    return events;
  }
}
