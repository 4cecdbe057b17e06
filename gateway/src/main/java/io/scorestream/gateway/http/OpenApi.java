package io.scorestream.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's OpenAPI 3.1 contract ({@code openapi.json} on the class path, served at {@code
 * /openapi.json}) and the check of each request against it: a route's handler runs only for a
 * request whose parameters and body have the shapes and types the contract gives, and a request
 * that has not is answered 400 (parameters) or 422 (body) naming the field. Value limits stay with
 * the shared request checks, which run after.
 */
final class OpenApi {
  private static final String RESOURCE = "/openapi.json";
  private static final Pattern PARAMETER =
      Pattern.compile("(query|header|path|cookie) parameter (\\S+)");
  private final OpenAPIContract contract;
  private final RequestValidator validator;

  /**
   * The document as written (its {@code $ref}s local to it), which clients and their tools read.
   */
  private final JsonObject document;

  private OpenApi(Vertx vertx, OpenAPIContract contract, JsonObject document) {
    this.contract = contract;
    this.validator = RequestValidator.create(vertx, contract);
    this.document = document;
  }

  /** Reads and checks the contract. */
  static Future<OpenApi> load(Vertx vertx) {
    JsonObject raw;
    try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return Future.failedFuture(
            new IllegalStateException(RESOURCE + " is missing from the gateway's class path"));
      }
      raw = new JsonObject(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JsonObject document = raw.copy(); // the validator resolves its copy's references in place
    return OpenAPIContract.from(vertx, raw).map(c -> new OpenApi(vertx, c, document));
  }

  /**
   * {@code GET /openapi.json}: the document itself (not the validator's resolved copy, whose
   * references point into the validator's own store and which no tool resolves), with one server:
   * the address the client used, as a proxy in front passes it on ({@code X-Forwarded-Proto},
   * {@code X-Forwarded-Host}) or as it reached the gateway.
   */
  void serve(RoutingContext ctx) {
    var request = ctx.request();
    String scheme =
        Optional.ofNullable(request.getHeader("X-Forwarded-Proto"))
            .map(s -> s.split(",")[0].trim())
            .filter(s -> s.equals("http") || s.equals("https"))
            .orElse(request.isSSL() ? "https" : "http");
    String host =
        Optional.ofNullable(request.getHeader("X-Forwarded-Host"))
            .map(s -> s.split(",")[0].trim())
            .or(() -> Optional.ofNullable(request.getHeader("Host")))
            .filter(h -> h.matches("[A-Za-z0-9.\\-\\[\\]:]{1,300}"))
            .orElse(request.localAddress().host() + ":" + request.localAddress().port());
    JsonObject served =
        document
            .copy()
            .put(
                "servers",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("url", scheme + "://" + host)
                            .put("description", "this gateway, as the client reached it")));
    ctx.response().putHeader("Content-Type", "application/json").end(served.encode());
  }

  /** A handler that passes on only requests that fit the operation's parameters and body. */
  Handler<RoutingContext> check(String operationId) {
    var operation = contract.operation(operationId);
    if (operation == null) {
      throw new IllegalArgumentException("the contract has no operation " + operationId);
    }
    return ctx ->
        RequestUtils.extract(
                ctx.request(),
                operation,
                () ->
                    Future.succeededFuture(
                        ctx.body() == null || ctx.body().buffer() == null
                            ? Buffer.buffer()
                            : ctx.body().buffer()))
            .compose(request -> validator.validate(request, operationId))
            .onSuccess(valid -> ctx.next())
            .onFailure(e -> refuse(ctx, e));
  }

  private static void refuse(RoutingContext ctx, Throwable e) {
    if (ctx.response().ended()) {
      return;
    }
    if (e instanceof SchemaValidationException s && s.getMessage().contains("request body")) {
      OutputUnit worst = deepest(s.getOutputUnit());
      String field = field(worst == null ? null : worst.getInstanceLocation());
      String reason = worst == null || worst.getError() == null ? s.getMessage() : worst.getError();
      ApiError.send(
          ctx,
          422,
          "invalid_request",
          field.isEmpty() ? null : field,
          (field.isEmpty() ? "the body" : field)
              + ": "
              + reason
              + " (see /openapi.json, GenerateRequest)");
      return;
    }
    if (e instanceof ValidatorException v && v.type() != ValidatorErrorType.MISSING_OPERATION) {
      if (ctx.request().method().name().equals("POST") && v.getMessage().contains("body")) {
        // not JSON at all: the submission's own parser says so, with an example
        ctx.next();
        return;
      }
      Matcher m = PARAMETER.matcher(v.getMessage());
      boolean found = m.find();
      ApiError.send(
          ctx,
          400,
          "invalid_" + (found ? m.group(1) : "request"),
          found ? m.group(2) : null,
          v.getMessage());
      return;
    }
    ApiError.internal(ctx, e);
  }

  /**
   * The error deepest in the instance, and of those the deepest in the schema (the output lists
   * them flat or nested): the field at fault and the rule it broke (a type, an enum) rather than
   * the object that holds it or "does not match schema".
   */
  private static OutputUnit deepest(OutputUnit unit) {
    if (unit == null) {
      return null;
    }
    List<Map.Entry<OutputUnit, Integer>> all = new ArrayList<>();
    collect(unit, 0, all);
    return all.stream()
        .filter(e -> e.getKey().getError() != null && e.getKey().getInstanceLocation() != null)
        .max(
            Comparator.comparingInt(
                    (Map.Entry<OutputUnit, Integer> e) -> e.getKey().getInstanceLocation().length())
                .thenComparingInt(
                    e ->
                        e.getKey().getKeywordLocation() == null
                            ? 0
                            : e.getKey().getKeywordLocation().length())
                .thenComparingInt(Map.Entry::getValue))
        .map(Map.Entry::getKey)
        .orElse(unit);
  }

  private static void collect(
      OutputUnit unit, int depth, List<Map.Entry<OutputUnit, Integer>> into) {
    into.add(Map.entry(unit, depth));
    if (unit.getErrors() != null) {
      unit.getErrors().forEach(u -> collect(u, depth + 1, into));
    }
  }

  /**
   * A JSON pointer into the body ({@code /sampler/snr}, {@code /webhook/events/0}) as the field
   * path the API's errors name ({@code sampler.snr}, {@code webhook.events[0]}).
   */
  static String field(String pointer) {
    if (pointer == null) {
      return "";
    }
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    StringBuilder out = new StringBuilder();
    for (String segment : p.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      String name = segment.replace("~1", "/").replace("~0", "~");
      if (name.chars().allMatch(Character::isDigit)) {
        out.append('[').append(name).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(name);
      }
    }
    return out.toString();
  }

  /** The operations this contract names, for a test that every route has one. */
  Map<String, String> operations() {
    Map<String, String> out = new TreeMap<>();
    contract
        .operations()
        .forEach(o -> out.put(o.getOperationId(), o.getHttpMethod() + " " + o.getOpenAPIPath()));
    return out;
  }
}
