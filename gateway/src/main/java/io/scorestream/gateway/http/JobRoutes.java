package io.scorestream.gateway.http;

import io.scorestream.core.stats.MeanEstimate;
import io.scorestream.gateway.auth.Tenant;
import io.scorestream.gateway.events.EventHub;
import io.scorestream.gateway.view.JobIndex;
import io.scorestream.gateway.view.ResultReader;
import io.scorestream.jobs.Faults;
import io.scorestream.jobs.JobStates;
import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.formats.Npy;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.proto.v1.Completed;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.JobStatus;
import io.scorestream.proto.v1.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The job routes but submission: look one up, list a tenant's, cancel one, download a result. */
final class JobRoutes {
  /** The most jobs one page of {@code GET /v1/jobs} holds. */
  static final int MAX_PAGE = 500;

  private final JobIndex index;
  private final ResultReader results;
  private final JobClient client;
  private final JobViews views;
  private final EventHub hub;

  JobRoutes(JobIndex index, ResultReader results, JobClient client, JobViews views, EventHub hub) {
    this.hub = hub;
    this.index = index;
    this.results = results;
    this.client = client;
    this.views = views;
  }

  /** The tenant's job of the path's id; answers 404 and returns empty when there is none. */
  Optional<JobIndex.Entry> owned(RoutingContext ctx, Tenant tenant) {
    String id = ctx.pathParam("id");
    Optional<JobIndex.Entry> entry = index.get(id).filter(e -> e.tenant().equals(tenant.name()));
    if (entry.isEmpty()) {
      ApiError.notFound(ctx, id);
    }
    return entry;
  }

  void get(RoutingContext ctx, Tenant tenant) {
    owned(ctx, tenant).ifPresent(e -> json(ctx, 200, views.job(e)));
  }

  /**
   * {@code GET /v1/jobs?status=queued,running&limit=50&cursor=...}: the tenant's jobs, newest
   * first, a page at a time; {@code next} in the answer is the cursor of the following page.
   */
  void list(RoutingContext ctx, Tenant tenant) {
    Set<JobStatus> statuses;
    try {
      statuses = statuses(ctx.queryParam("status"));
    } catch (IllegalArgumentException e) {
      ApiError.send(ctx, 400, "invalid_query", "status", e.getMessage());
      return;
    }
    int limit;
    try {
      String l = ctx.queryParams().get("limit");
      limit = l == null ? 50 : Integer.parseInt(l);
      if (limit < 1 || limit > MAX_PAGE) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      ApiError.send(
          ctx, 400, "invalid_query", "limit", "limit must be a whole number from 1 to " + MAX_PAGE);
      return;
    }
    String cursor = ctx.queryParams().get("cursor");
    Comparator<JobState> newestFirst =
        Comparator.comparing((JobState s) -> Times.instant(s.getSummary().getSubmittedAt()))
            .reversed()
            .thenComparing(JobState::getJobId);
    List<JobIndex.Entry> all =
        index.ofTenant(tenant.name()).stream()
            .filter(e -> statuses.isEmpty() || statuses.contains(e.state().getStatus()))
            .sorted(Comparator.comparing(JobIndex.Entry::state, newestFirst))
            .toList();
    int from = 0;
    if (cursor != null) {
      String after = new String(decode(cursor), StandardCharsets.UTF_8);
      from = (int) all.stream().takeWhile(e -> !e.state().getJobId().equals(after)).count() + 1;
      if (from > all.size()) {
        ApiError.send(
            ctx,
            400,
            "invalid_query",
            "cursor",
            "cursor names no job of this listing; start again" + " without it");
        return;
      }
    }
    List<JobIndex.Entry> page = all.subList(from, Math.min(all.size(), from + limit));
    JsonArray jobs = new JsonArray();
    page.forEach(e -> jobs.add(views.job(e)));
    JsonObject out = new JsonObject().put("jobs", jobs).put("total", all.size());
    if (from + limit < all.size()) {
      out.put(
          "next",
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(
                  page.get(page.size() - 1).state().getJobId().getBytes(StandardCharsets.UTF_8)));
    }
    json(ctx, 200, out);
  }

  private static byte[] decode(String cursor) {
    try {
      return Base64.getUrlDecoder().decode(cursor);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }

  private static Set<JobStatus> statuses(List<String> params) {
    return params.stream()
        .flatMap(p -> Arrays.stream(p.split(",")))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(
            s -> {
              try {
                JobStatus st = JobStatus.valueOf(s.toUpperCase(Locale.ROOT));
                if (st == JobStatus.JOB_STATUS_UNSPECIFIED || st == JobStatus.UNRECOGNIZED) {
                  throw new IllegalArgumentException();
                }
                return st;
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                    "status must be among queued, running, succeeded, failed,"
                        + " cancelled; got '"
                        + ApiError.clip(s)
                        + "'");
              }
            })
        .collect(Collectors.toSet());
  }

  /**
   * {@code DELETE /v1/jobs/{id}}: asks the fleet to cancel; 202 with the job, 409 when it has ended
   * already.
   */
  void cancel(RoutingContext ctx, Tenant tenant) {
    owned(ctx, tenant)
        .ifPresent(
            entry -> {
              Optional<String> ended =
                  entry.isFinal()
                      ? Optional.of(entry.state().getStatus().name().toLowerCase(Locale.ROOT))
                      : hub.endedAs(
                          entry.state().getJobId(),
                          entry.state().getRequestDigest()); // the event may come first
              if (ended.isPresent()) {
                ApiError.send(
                    ctx,
                    409,
                    "already_ended",
                    "job "
                        + entry.state().getJobId()
                        + " has ended already ("
                        + ended.get().replace("completed", "succeeded")
                        + ")");
                return;
              }
              String reason = "cancelled through the API";
              ctx.vertx()
                  .executeBlocking(
                      () -> {
                        client.cancel(entry.state().getJobId(), tenant.name(), reason);
                        return null;
                      })
                  .onSuccess(v -> json(ctx, 202, views.job(entry).put("cancelRequested", true)))
                  .onFailure(e -> ApiError.internal(ctx, e));
            });
  }

  /**
   * How long a result asked for after its job's final event, before its final state, waits for that
   * state.
   */
  static final long RESULT_WAIT_MILLIS = 1_000;

  /** How often the index is looked at meanwhile. */
  private static final long RESULT_LOOK_MILLIS = 20;

  /**
   * {@code GET /v1/jobs/{id}/result}: the samples as JSON (nested arrays), {@code .npy} or a PNG
   * grid for image models, by {@code ?format=json|npy|png} or else the Accept header. A client that
   * has just read the completed event (job-events) may ask before this gateway has read the state
   * written after it (job-state): when the events say the job has ended and the index does not yet,
   * the answer waits for the state, up to {@link #RESULT_WAIT_MILLIS}. A job still running is
   * answered 409 at once.
   */
  void result(RoutingContext ctx, Tenant tenant) {
    owned(ctx, tenant)
        .ifPresent(
            entry -> {
              String format = format(ctx);
              if (format == null) {
                return;
              }
              if (!entry.isFinal()
                  && hub.endedAs(entry.state().getJobId(), entry.state().getRequestDigest())
                      .isPresent()) {
                awaitFinal(ctx, entry, format, System.nanoTime() + RESULT_WAIT_MILLIS * 1_000_000);
              } else {
                answerResult(ctx, entry, format);
              }
            });
  }

  private void awaitFinal(
      RoutingContext ctx, JobIndex.Entry last, String format, long deadlineNanos) {
    ctx.vertx()
        .setTimer(
            RESULT_LOOK_MILLIS,
            t -> {
              if (ctx.response().closed()) {
                return; // the client has gone
              }
              JobIndex.Entry now = index.get(last.state().getJobId()).orElse(last);
              if (now.isFinal() || System.nanoTime() >= deadlineNanos) {
                answerResult(ctx, now, format);
              } else {
                awaitFinal(ctx, now, format, deadlineNanos);
              }
            });
  }

  private void answerResult(RoutingContext ctx, JobIndex.Entry entry, String format) {
    JobState state = entry.state();
    if (state.getStatus() != JobStatus.SUCCEEDED) {
      ApiError.send(
          ctx,
          409,
          "no_result",
          "job "
              + state.getJobId()
              + " has no result"
              + (JobStates.isFinal(state.getStatus()) ? ": it ended " : " yet: it is ")
              + state.getStatus().name().toLowerCase(Locale.ROOT));
      return;
    }
    results
        .read(entry.partition(), entry.offset(), state.getJobId())
        .whenComplete(
            (found, e) ->
                ctx.vertx()
                    .runOnContext(
                        v -> {
                          if (e != null) {
                            ApiError.internal(ctx, e);
                          } else if (found.isEmpty() || !found.get().hasResult()) {
                            ApiError.send(
                                ctx,
                                410,
                                "result_gone",
                                "job " + state.getJobId() + "'s result is no longer held");
                          } else {
                            sendReadable(ctx, state.getJobId(), found.get().getResult(), format);
                          }
                        }));
  }

  /**
   * Sends a stored result, or, when its record holds no tensor this gateway can read (written by
   * something other than a worker), says so: the client gets an answer either way, never a request
   * left open.
   */
  private static void sendReadable(
      RoutingContext ctx, String jobId, Completed result, String format) {
    String problem = result.hasValues() ? null : Tensors.problem(result.getSamples());
    if (problem == null) {
      try {
        send(ctx, jobId, result, format);
        return;
      } catch (RuntimeException e) {
        problem = Faults.reason(e);
      }
    }
    ApiError.send(
        ctx,
        500,
        "result_unreadable",
        "job " + jobId + "'s stored result cannot be read: " + problem);
  }

  /** The format asked for; answers 406 and returns null when it is none of ours. */
  private static String format(RoutingContext ctx) {
    String f = ctx.queryParams().get("format");
    if (f == null) {
      String accept = Optional.ofNullable(ctx.request().getHeader("Accept")).orElse("");
      f = accept.contains(Npy.MEDIA_TYPE) ? "npy" : accept.contains("image/png") ? "png" : "json";
    }
    f = f.toLowerCase(Locale.ROOT);
    if (!Set.of("json", "npy", "png").contains(f)) {
      ApiError.send(
          ctx,
          406,
          "unsupported_format",
          "format",
          "format must be json, npy or png; got '" + ApiError.clip(f) + "'");
      return null;
    }
    return f;
  }

  private static void send(RoutingContext ctx, String jobId, Completed result, String format) {
    if (result.hasValues()) {
      sendValues(ctx, jobId, result, format);
      return;
    }
    Tensor samples = result.getSamples();
    int rows = (int) samples.getShape(0);
    int[] shape = samples.getShapeList().stream().skip(1).mapToInt(Long::intValue).toArray();
    float[] values = Tensors.floats(samples);
    switch (format) {
      case "npy" ->
          ctx.response()
              .putHeader("Content-Type", Npy.MEDIA_TYPE)
              .putHeader("Content-Disposition", "attachment; filename=\"" + jobId + ".npy\"")
              .end(Buffer.buffer(Npy.encode(values, rows, shape)));
      case "png" -> {
        if (!EventJson.isImage(samples)) {
          ApiError.send(
              ctx,
              406,
              "unsupported_format",
              "format",
              "png needs an image model ([1,H,W] or"
                  + " [3,H,W]); these samples have shape "
                  + Arrays.toString(shape)
                  + ": use json or npy");
          return;
        }
        ctx.response()
            .putHeader("Content-Type", "image/png")
            .putHeader("Content-Disposition", "inline; filename=\"" + jobId + ".png\"")
            .end(Buffer.buffer(EventJson.png(samples)));
      }
      default ->
          json(
              ctx,
              200,
              new JsonObject()
                  .put("jobId", jobId)
                  .put("shape", new JsonArray(samples.getShapeList()))
                  .put("nfe", result.getNfe())
                  .put("samples", nested(values, rows, shape)));
    }
  }

  /**
   * A likelihood job's result: per-example values and their standard errors in their unit, with the
   * mean and its standard error over the examples; {@code .npy} holds the values alone.
   */
  private static void sendValues(
      RoutingContext ctx, String jobId, Completed result, String format) {
    double[] values = Tensors.doubles(result.getValues());
    double[] errors = Tensors.doubles(result.getStandardErrors());
    switch (format) {
      case "npy" -> {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) values[i];
        }
        ctx.response()
            .putHeader("Content-Type", Npy.MEDIA_TYPE)
            .putHeader("Content-Disposition", "attachment; filename=\"" + jobId + ".npy\"")
            .end(Buffer.buffer(Npy.encode(f, values.length, new int[0])));
      }
      case "png" ->
          ApiError.send(
              ctx,
              406,
              "unsupported_format",
              "format",
              "a likelihood job's result is numbers:" + " use json or npy");
      default -> {
        MeanEstimate estimate = MeanEstimate.of(values);
        JsonObject body =
            new JsonObject()
                .put("jobId", jobId)
                .put("unit", result.getUnit())
                .put("nfe", result.getNfe())
                .put("mean", estimate.mean())
                .put("values", finite(values))
                .put("standardErrors", finite(errors));
        if (estimate.count() > 1) {
          body.put("meanStandardError", estimate.standardError());
        }
        json(ctx, 200, body);
      }
    }
  }

  /** Numbers for JSON, where NaN (no standard error with one probe) has no spelling: null. */
  private static JsonArray finite(double[] values) {
    JsonArray out = new JsonArray();
    for (double v : values) {
      out.add(Double.isFinite(v) ? v : null);
    }
    return out;
  }

  /** Samples {@code [rows, ...shape]} as nested arrays. */
  static JsonArray nested(float[] values, int rows, int[] shape) {
    int[] full = new int[shape.length + 1];
    full[0] = rows;
    System.arraycopy(shape, 0, full, 1, shape.length);
    return nest(values, full, 0, 0);
  }

  private static JsonArray nest(float[] values, int[] shape, int dim, int offset) {
    JsonArray out = new JsonArray();
    int stride = 1;
    for (int d = dim + 1; d < shape.length; d++) {
      stride *= shape[d];
    }
    for (int i = 0; i < shape[dim]; i++) {
      if (dim == shape.length - 1) {
        out.add(values[offset + i]);
      } else {
        out.add(nest(values, shape, dim + 1, offset + i * stride));
      }
    }
    return out;
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }
}
