package io.scorestream.gateway.http;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scorestream.gateway.Readiness;
import io.scorestream.gateway.auth.Tenant;
import io.scorestream.gateway.auth.Tenants;
import io.scorestream.gateway.events.EventHub;
import io.scorestream.gateway.view.JobIndex;
import io.scorestream.gateway.view.ResultReader;
import io.scorestream.gateway.webhooks.WebhookPolicy;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.jobs.kafka.FleetView;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.TrainingCurves;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP server: the {@code /v1} API behind API keys, the operational endpoints beside
 * it, and the dashboard's static files at {@code /}. Routes point at small handlers; everything
 * that blocks (Kafka sends, reads back) runs off the event loop.
 */
public final class ApiVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);

  /** The largest body taken: a request at the shared limit, with its tensors in base64. */
  public static final long MAX_BODY_BYTES = RequestChecks.MAX_REQUEST_BYTES * 4L / 3 + (1 << 20);

  private static final String TENANT = "tenant";

  /** The dashboard's static files, on the class path. */
  private static final String WEBROOT = "webroot";

  /** What the API serves from, built by the gateway's main. */
  public record Dependencies(
      Tenants tenants,
      JobIndex index,
      EventHub hub,
      ResultReader results,
      FleetView fleet,
      TrainingCurves curves,
      JobClient client,
      RequestChecks checks,
      Readiness readiness,
      PrometheusMeterRegistry metrics,
      WebhookPolicy webhooks) {}

  private final Dependencies deps;
  private final String host;
  private final int port;
  private final EventStream.Timing timing;
  private HttpServer server;

  public ApiVerticle(Dependencies deps, String host, int port, Duration heartbeat, Duration stall) {
    this.deps = deps;
    this.host = host;
    this.port = port;
    this.timing = new EventStream.Timing(heartbeat, stall);
  }

  @Override
  public Future<?> start() {
    return OpenApi.load(vertx).compose(this::listen);
  }

  private Future<?> listen(OpenApi api) {
    JobViews views = new JobViews(deps.index(), deps.fleet());
    JobRoutes jobs = new JobRoutes(deps.index(), deps.results(), deps.client(), views, deps.hub());
    Submissions submissions =
        new Submissions(
            deps.index(), deps.fleet(), deps.client(), deps.checks(), views, deps.webhooks());
    StreamRoutes streams = new StreamRoutes(jobs, deps.index(), deps.hub(), timing);
    FleetRoutes fleet = new FleetRoutes(deps.fleet(), deps.curves());
    OpsRoutes ops = new OpsRoutes(deps.readiness(), deps.metrics());

    Router router = Router.router(vertx);
    router.route().handler(this::measure);
    router.get("/healthz").handler(ops::health);
    router.get("/readyz").handler(ops::ready);
    router.get("/metrics").handler(ops::metrics);
    router.get("/openapi.json").handler(api::serve);
    router
        .get("/v1/stream")
        .handler(this::socket); // authenticates itself: browsers send the key in a message
    router.route("/v1/*").handler(this::authenticate);
    router
        .post("/v1/jobs")
        .handler(this::jsonBody); // its own route: Vert.x runs body handlers first on one
    router
        .post("/v1/jobs")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(api.check("submitJob"))
        .handler(as(submissions::submit));
    router.get("/v1/jobs").handler(api.check("listJobs")).handler(as(jobs::list));
    router.get("/v1/jobs/:id").handler(api.check("getJob")).handler(as(jobs::get));
    router.delete("/v1/jobs/:id").handler(api.check("cancelJob")).handler(as(jobs::cancel));
    router.get("/v1/jobs/:id/result").handler(api.check("getResult")).handler(as(jobs::result));
    router
        .get("/v1/jobs/:id/events")
        .handler(api.check("streamEvents"))
        .handler(as(streams::events));
    router.get("/v1/models").handler(api.check("listModels")).handler(fleet::models);
    router
        .get("/v1/models/:name/training")
        .handler(api.check("getTrainingCurve"))
        .handler(fleet::training);
    router.get("/v1/workers").handler(api.check("listWorkers")).handler(fleet::workers);
    router
        .route("/v1/*")
        .handler(
            ctx ->
                ApiError.send(
                    ctx,
                    404,
                    "no_route",
                    "no route "
                        + ctx.request().method()
                        + " "
                        + ApiError.clip(ctx.request().path())
                        + "; see /openapi.json"));
    router
        .get("/*")
        .handler(this::pageHeaders)
        .handler(
            StaticHandler.create(WEBROOT)
                .setCachingEnabled(
                    false)); // one page of a few files: always the gateway's own version
    router.route().failureHandler(this::failed);

    server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setCompressionSupported(true) // JSON listings and results shrink several times
                .setIdleTimeout(0)); // event streams stay open; heartbeats keep proxies happy
    return server.requestHandler(router).listen(port, host);
  }

  /** The port the server listens on (the one given, or the one picked for port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private Handler<RoutingContext> as(BiConsumer<RoutingContext, Tenant> handler) {
    return ctx -> handler.accept(ctx, ctx.get(TENANT));
  }

  private void authenticate(RoutingContext ctx) {
    var tenant = deps.tenants().authenticate(ctx.request().getHeader("Authorization"));
    if (tenant.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"scorestream\"");
      ApiError.send(
          ctx,
          401,
          "unauthorized",
          ctx.request().getHeader("Authorization") == null
              ? "send an API key as Authorization: Bearer <key>"
              : "this API key is not known here");
      return;
    }
    ctx.put(TENANT, tenant.get());
    ctx.next();
  }

  /**
   * {@code GET /v1/stream}: upgrades to a {@link JobSocket}. A key in the Authorization header is
   * checked here; a socket opened without one (as browsers open them) must send it in its first
   * message.
   */
  private void socket(RoutingContext ctx) {
    String upgrade = ctx.request().getHeader("Upgrade");
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      ApiError.send(
          ctx,
          426,
          "upgrade_required",
          "/v1/stream is a WebSocket; connect with a WebSocket client "
              + "(or follow one job with GET /v1/jobs/{id}/events)");
      return;
    }
    Tenant tenant = null;
    if (ctx.request().getHeader("Authorization") != null) {
      var found = deps.tenants().authenticate(ctx.request().getHeader("Authorization"));
      if (found.isEmpty()) {
        ApiError.send(ctx, 401, "unauthorized", "this API key is not known here");
        return;
      }
      tenant = found.get();
    }
    Tenant known = tenant;
    ctx.request()
        .toWebSocket()
        .onSuccess(
            ws ->
                new JobSocket(vertx, ws, known, deps.tenants(), deps.index(), deps.hub(), timing)
                    .start());
  }

  /**
   * Bodies are JSON: a body sent with no Content-Type or with curl's default for {@code -d} (form
   * encoding) is read as JSON; one that says it is something else is refused.
   */
  private void jsonBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String bare = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (bare.isEmpty() || bare.equals("application/x-www-form-urlencoded")) {
      ctx.request().headers().set("Content-Type", "application/json");
    } else if (!bare.equals("application/json") && !bare.endsWith("+json")) {
      ApiError.send(
          ctx,
          415,
          "unsupported_media_type",
          "Content-Type",
          "bodies are JSON (application/json), not " + ApiError.clip(bare));
      return;
    }
    ctx.next();
  }

  /** The dashboard's files load only from this origin, and its socket connects only back to it. */
  private void pageHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; "
                + "connect-src 'self' ws: wss:; style-src 'self'; frame-ancestors 'none'")
        .putHeader("X-Content-Type-Options", "nosniff");
    ctx.next();
  }

  private void measure(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(
        v -> {
          String route =
              ctx.currentRoute() == null || ctx.currentRoute().getPath() == null
                  ? "other"
                  : ctx.currentRoute().getPath();
          Timer.builder("gateway_http_requests")
              .tag("method", ctx.request().method().name())
              .tag("route", route)
              .tag("status", Integer.toString(ctx.response().getStatusCode()))
              .register(deps.metrics())
              .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        });
    ctx.next();
  }

  private void failed(RoutingContext ctx) {
    int status = ctx.statusCode();
    if (status == 413) {
      ApiError.send(
          ctx, 413, "too_large", "the body is over " + MAX_BODY_BYTES / (1 << 20) + " MiB");
    } else if (status >= 400 && status < 500) {
      ApiError.send(ctx, status, "bad_request", "the request could not be read");
    } else {
      // a fault of the gateway's own fails this request alone; the operator sees it once, with its
      // stack trace
      Throwable failure =
          ctx.failure() == null ? new IllegalStateException("status " + status) : ctx.failure();
      LOG.error(
          "{} {} failed",
          ctx.request().method(),
          io.scorestream.jobs.Texts.cut(ctx.request().path(), 200, "..."),
          failure);
      ApiError.send(
          ctx,
          500,
          "internal",
          "the gateway failed on this request: " + io.scorestream.jobs.Faults.reason(failure));
    }
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
