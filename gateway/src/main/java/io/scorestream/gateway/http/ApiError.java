package io.scorestream.gateway.http;

import io.scorestream.jobs.Problem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The one shape of every error the API answers: {@code {"error": {"code", "message", "field"?}}},
 * with a code a program can branch on and a sentence a person can act on.
 */
final class ApiError {
  private ApiError() {}

  static void send(RoutingContext ctx, int status, String code, String message) {
    send(ctx, status, code, "", message);
  }

  static void send(RoutingContext ctx, int status, String code, String field, String message) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    JsonObject error = new JsonObject().put("code", code).put("message", message);
    if (field != null && !field.isEmpty()) {
      error.put("field", field);
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", error).encode());
  }

  /** A request problem found by the shared checks: 413 when it is about size, 422 otherwise. */
  static void send(RoutingContext ctx, Problem problem) {
    int status =
        switch (problem.code()) {
          case TOO_LARGE -> 413;
          default -> 422;
        };
    send(ctx, status, problem.code().wire(), problem.field(), problem.message());
  }

  static void notFound(RoutingContext ctx, String jobId) {
    send(ctx, 404, "not_found", "no job " + clip(jobId) + " of this tenant");
  }

  static void internal(RoutingContext ctx, Throwable e) {
    send(
        ctx,
        503,
        "unavailable",
        "the gateway could not complete this: " + e.getMessage() + "; try again shortly");
  }

  static String clip(String s) {
    return io.scorestream.jobs.Texts.cut(s, 140, "...");
  }
}
