package io.scorestream.gateway.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scorestream.gateway.Readiness;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /healthz} (the process answers), {@code /readyz} (it can serve: broker, topics, views) and
 * {@code /metrics}.
 */
final class OpsRoutes {
  private final Readiness readiness;
  private final PrometheusMeterRegistry registry;

  OpsRoutes(Readiness readiness, PrometheusMeterRegistry registry) {
    this.readiness = readiness;
    this.registry = registry;
  }

  void health(RoutingContext ctx) {
    JobRoutes.json(ctx, 200, new JsonObject().put("status", "ok"));
  }

  void ready(RoutingContext ctx) {
    ctx.vertx()
        .executeBlocking(readiness::problems)
        .onComplete(
            r -> {
              if (r.failed()) {
                JobRoutes.json(
                    ctx,
                    503,
                    new JsonObject()
                        .put("status", "unready")
                        .put(
                            "problems",
                            new io.vertx.core.json.JsonArray()
                                .add(String.valueOf(r.cause().getMessage()))));
              } else if (r.result().isEmpty()) {
                JobRoutes.json(ctx, 200, new JsonObject().put("status", "ready"));
              } else {
                JobRoutes.json(
                    ctx,
                    503,
                    new JsonObject()
                        .put("status", "unready")
                        .put("problems", new io.vertx.core.json.JsonArray(r.result())));
              }
            });
  }

  void metrics(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape());
  }
}
