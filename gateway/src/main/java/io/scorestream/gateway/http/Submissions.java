package io.scorestream.gateway.http;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.scorestream.core.model.ModelFormatException;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.gateway.auth.Tenant;
import io.scorestream.gateway.view.JobIndex;
import io.scorestream.gateway.webhooks.WebhookPolicy;
import io.scorestream.jobs.ClassifierGuidance;
import io.scorestream.jobs.FailureCode;
import io.scorestream.jobs.JobStates;
import io.scorestream.jobs.Problem;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.FleetView;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.ModelVersion;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code POST /v1/jobs}: the gateway's side of enqueuing a job. The body is a {@code
 * GenerateRequest} in the protobuf JSON mapping; the gateway names the job and stamps the caller's
 * tenant (a body cannot choose either), runs the shared request checks alone and against the model
 * the fleet serves, applies the tenant's rate and concurrency limits, and writes the job's queued
 * state and request to Kafka before answering 202.
 *
 * <p>With an {@code Idempotency-Key}, the job id is derived from the tenant and the key, so the
 * same POST again, to this or any gateway, finds the job it made; the same key with another body is
 * refused with 409.
 */
final class Submissions {
  /** The longest Idempotency-Key taken. */
  static final int MAX_IDEMPOTENCY_KEY = 255;

  private final JobIndex index;
  private final FleetView fleet;
  private final JobClient client;
  private final RequestChecks checks;
  private final RateLimits rates = new RateLimits();
  private final JobViews views;
  private final WebhookPolicy webhooks;
  private final SecureRandom random = new SecureRandom();

  /** Ids being enqueued by this gateway under an Idempotency-Key, and their digests. */
  private final Map<String, ByteString> enqueuing = new ConcurrentHashMap<>();

  Submissions(
      JobIndex index,
      FleetView fleet,
      JobClient client,
      RequestChecks checks,
      JobViews views,
      WebhookPolicy webhooks) {
    this.webhooks = webhooks;
    this.index = index;
    this.fleet = fleet;
    this.client = client;
    this.checks = checks;
    this.views = views;
  }

  void submit(RoutingContext ctx, Tenant tenant) {
    String body = ctx.body() == null ? null : ctx.body().asString();
    if (body == null || body.isBlank()) {
      ApiError.send(
          ctx,
          400,
          "invalid_json",
          "the body must be a GenerateRequest in JSON, e.g."
              + " {\"modelName\": \"gmm-vp\", \"numSamples\": 64}");
      return;
    }
    GenerateRequest.Builder b;
    try {
      b = ProtoJson.parse(body, GenerateRequest.newBuilder());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      ApiError.send(
          ctx, 400, "invalid_json", "the body is not a GenerateRequest in JSON: " + e.getMessage());
      return;
    }
    if (!b.getJobId().isEmpty()) {
      ApiError.send(
          ctx,
          422,
          FailureCode.INVALID_REQUEST.wire(),
          "jobId",
          "jobId is assigned by the gateway;"
              + " leave it out, and send an Idempotency-Key header to make a retried POST safe");
      return;
    }
    if (!b.getTenant().isEmpty() && !b.getTenant().equals(tenant.name())) {
      ApiError.send(
          ctx,
          422,
          FailureCode.INVALID_REQUEST.wire(),
          "tenant",
          "tenant comes from the API key"
              + " (this key's tenant is "
              + tenant.name()
              + "); leave it out");
      return;
    }
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null
        && (key.isEmpty()
            || key.length() > MAX_IDEMPOTENCY_KEY
            || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      ApiError.send(
          ctx,
          400,
          "invalid_header",
          "Idempotency-Key must be 1 to "
              + MAX_IDEMPOTENCY_KEY
              + " printable ASCII characters without spaces");
      return;
    }
    long wait = rates.tryAcquire(tenant, System.nanoTime());
    if (wait > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(wait));
      ApiError.send(
          ctx,
          429,
          "rate_limited",
          "tenant "
              + tenant.name()
              + " may submit "
              + tenant.ratePerSecond()
              + " jobs a second (bursts of "
              + tenant.burst()
              + "); retry in "
              + wait
              + " s");
      return;
    }
    long active = index.activeJobs(tenant.name());
    if (active >= tenant.maxActiveJobs()) {
      ctx.response().putHeader("Retry-After", "5");
      ApiError.send(
          ctx,
          429,
          "too_many_jobs",
          "tenant "
              + tenant.name()
              + " has "
              + active
              + " jobs queued or running, its limit; retry when some have finished, or cancel some");
      return;
    }
    String jobId = key != null ? idFor(tenant.name(), key) : newId();
    if (!b.hasSeed()) {
      // no seed asked for: a fresh one, kept in the request, so that two jobs differ and each can
      // be repeated
      b.setSeed(key != null ? seedFor(jobId) : random.nextLong());
    }
    GenerateRequest request =
        b.setJobId(jobId).setTenant(tenant.name()).setSubmittedAt(Times.now()).build();
    Optional<Problem> problem =
        checks
            .check(request)
            .or(() -> checkWebhook(request, tenant))
            .or(() -> checkForModel(request));
    if (problem.isPresent()) {
      ApiError.send(ctx, problem.get());
      return;
    }
    ByteString digest = RequestDigest.of(request);
    if (key != null && replayed(ctx, tenant, jobId, digest)) {
      return;
    }
    JobState queued = JobStates.queued(request, digest);
    client
        .enqueue(request, queued)
        .whenComplete(
            (written, e) ->
                ctx.vertx()
                    .runOnContext(
                        v -> {
                          if (key != null) {
                            enqueuing.remove(jobId);
                          }
                          if (e != null) {
                            ApiError.send(
                                ctx,
                                503,
                                "unavailable",
                                "the job was not enqueued: "
                                    + e.getMessage()
                                    + "; retry (with"
                                    + " an Idempotency-Key a retry cannot make a second job)");
                            return;
                          }
                          index.put(
                              queued,
                              new TopicPartition(written.topic(), written.partition()),
                              written.offset());
                          JobIndex.Entry entry = index.get(jobId).orElseThrow();
                          ctx.response()
                              .setStatusCode(202)
                              .putHeader("Location", "/v1/jobs/" + jobId)
                              .putHeader("Content-Type", "application/json")
                              .end(views.job(entry).encode());
                        }));
  }

  /**
   * For a POST with an Idempotency-Key: answers it and returns true when the key's job exists or is
   * being enqueued (the same body: 200 with the job; another body: 409); else marks the id as being
   * enqueued.
   */
  private boolean replayed(RoutingContext ctx, Tenant tenant, String jobId, ByteString digest) {
    Optional<JobIndex.Entry> existing = index.get(jobId);
    ByteString held =
        existing
            .map(e -> e.state().getRequestDigest())
            .orElseGet(() -> enqueuing.putIfAbsent(jobId, digest));
    if (held == null) {
      return false;
    }
    if (!held.equals(digest)) {
      ApiError.send(
          ctx,
          409,
          "idempotency_key_reused",
          "this Idempotency-Key was used for another request of"
              + " tenant "
              + tenant.name()
              + " (job "
              + jobId
              + "); use a new key for a new request");
    } else if (existing.isPresent()) {
      ctx.response()
          .setStatusCode(200)
          .putHeader("Location", "/v1/jobs/" + jobId)
          .putHeader("Idempotent-Replayed", "true")
          .putHeader("Content-Type", "application/json")
          .end(views.job(existing.get()).encode());
    } else {
      ctx.response().putHeader("Retry-After", "1");
      ApiError.send(
          ctx,
          409,
          "in_progress",
          "a request with this Idempotency-Key is being enqueued; retry in a"
              + " second to get its job");
    }
    return true;
  }

  private Optional<Problem> checkForModel(GenerateRequest request) {
    Instant now = Instant.now();
    Optional<ModelVersion> model =
        request.hasModelVersion()
            ? fleet.version(
                request.getModelName(), request.getModelVersion(), now, FleetView.LIVENESS)
            : fleet.model(request.getModelName(), now, FleetView.LIVENESS);
    if (model.isEmpty()) {
      String what =
          request.getModelName()
              + (request.hasModelVersion() ? " version " + request.getModelVersion() : "");
      boolean classifier =
          fleet.model(request.getModelName(), true, now, FleetView.LIVENESS).isPresent();
      return Optional.of(
          new Problem(
              FailureCode.UNKNOWN_MODEL,
              request.hasModelVersion() ? "modelVersion" : "modelName",
              classifier
                  ? "'"
                      + request.getModelName()
                      + "' is a classifier, not a score model: it guides"
                      + " one (guidance.classifier)"
                  : "no worker serves model "
                      + what
                      + "; served: "
                      + String.join(", ", fleet.models(now, FleetView.LIVENESS))
                      + " (GET /v1/models lists them)"));
    }
    Optional<ClassifierGuidance> guidance =
        ClassifierGuidance.asked(request); // checked alone before this
    Optional<ModelVersion> classifier =
        guidance.flatMap(
            g ->
                g.version() != null
                    ? fleet.version(g.classifier(), g.version(), true, now, FleetView.LIVENESS)
                    : fleet.model(g.classifier(), true, now, FleetView.LIVENESS));
    if (guidance.isPresent()
        && (classifier.isEmpty()
            || !fleet.servedTogether(
                request.getModelName(), guidance.get().classifier(), now, FleetView.LIVENESS))) {
      Set<String> served = fleet.models(now, FleetView.LIVENESS, true);
      return Optional.of(
          guidance
              .get()
              .unserved(
                  classifier.isEmpty()
                      ? "served classifiers: "
                          + (served.isEmpty() ? "none" : String.join(", ", served))
                      : "no worker serves it together with model " + request.getModelName()));
    }
    try {
      ModelInfo info = ModelMetadata.parse(model.get().getMetadataMap(), model.get().getName());
      return guidance.isEmpty()
          ? checks.check(request, info)
          : checks.check(
              request,
              info,
              ModelMetadata.parse(classifier.get().getMetadataMap(), classifier.get().getName()));
    } catch (ModelFormatException e) {
      return Optional
          .empty(); // a worker of an older build says too little: the worker checks the rest
    }
  }

  /** A webhook must have a secret to be signed with and a destination this gateway may reach. */
  private Optional<Problem> checkWebhook(GenerateRequest request, Tenant tenant) {
    if (!request.hasWebhook()) {
      return Optional.empty();
    }
    if (tenant.webhookSecret().isEmpty()) {
      return Optional.of(
          Problem.invalid(
              "webhook",
              "tenant "
                  + tenant.name()
                  + " has no webhook secret to sign"
                  + " deliveries with; the operator sets one (webhookSecret) in the tenants file"));
    }
    return webhooks
        .refuse(URI.create(request.getWebhook().getUrl()))
        .map(why -> Problem.invalid("webhook.url", "webhook.url is refused: " + why));
  }

  /**
   * The seed of a retried POST without one: the same on every retry, so the same key stays the same
   * request.
   */
  private static long seedFor(String jobId) {
    return ByteBuffer.wrap(RequestDigest.sha256(jobId.getBytes(StandardCharsets.UTF_8))).getLong();
  }

  /** The job id of a tenant's Idempotency-Key: the same on every gateway. */
  static String idFor(String tenant, String key) {
    byte[] d = RequestDigest.sha256((tenant + "\n" + key).getBytes(StandardCharsets.UTF_8));
    return "k-" + HexFormat.of().formatHex(d, 0, 16);
  }

  private String newId() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return "j-" + HexFormat.of().formatHex(bytes);
  }
}
