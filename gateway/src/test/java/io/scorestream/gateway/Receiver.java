package io.scorestream.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A webhook receiver on loopback: answers each delivery with the status a test's rule gives, and
 * keeps them all.
 */
final class Receiver implements AutoCloseable {
  /** One delivery attempt as it arrived, and the status it was answered with. */
  record Attempt(MultiMap headers, String body, int answered) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String id() {
      return headers.get("webhook-id");
    }
  }

  private final HttpServer server;
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private volatile Function<List<Attempt>, Integer> rule = earlier -> 200;

  Receiver(Vertx vertx) throws Exception {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              String id = request.getHeader("webhook-id");
                              List<Attempt> earlier =
                                  attempts.stream()
                                      .filter(a -> a.id() != null && a.id().equals(id))
                                      .toList();
                              int status = rule.apply(earlier);
                              attempts.add(
                                  new Attempt(
                                      MultiMap.caseInsensitiveMultiMap().addAll(request.headers()),
                                      body.toString(),
                                      status));
                              request.response().setStatusCode(status).end();
                            }));
    server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** How to answer a delivery, given the earlier attempts of the same webhook-id. */
  void answer(Function<List<Attempt>, Integer> rule) {
    this.rule = rule;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
