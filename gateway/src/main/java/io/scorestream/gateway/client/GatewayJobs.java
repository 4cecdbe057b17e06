package io.scorestream.gateway.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.formats.Npy;
import io.scorestream.proto.v1.Cancelled;
import io.scorestream.proto.v1.Completed;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A Java client of a gateway's HTTP API (docs/api.md), as {@code scorestream submit --gateway},
 * {@code cancel --gateway} and the gateway benchmark use it: submits a request, follows its
 * Server-Sent Events (resuming from the last event id when the stream drops), reads results back as
 * {@code .npy}, and cancels. Refusals become {@link Refused} with the API's code, field and
 * sentence.
 */
public final class GatewayJobs {
  /** The API said no. */
  public static final class Refused extends RuntimeException {
    private final int status;
    private final String code;

    Refused(int status, String code, String field, String message) {
      super(
          message
              + (field == null || field.isEmpty() ? "" : " [" + field + "]")
              + " ("
              + status
              + " "
              + code
              + ")");
      this.status = status;
      this.code = code;
    }

    /** The HTTP status. */
    public int status() {
      return status;
    }

    /** The API's error code ({@code not_found}, ...). */
    public String code() {
      return code;
    }
  }

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private final HttpClient http;
  private final URI base;
  private final String key;

  public GatewayJobs(URI base, String key) {
    this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
    this.key = key;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .header("Authorization", "Bearer " + key)
        .timeout(REQUEST_TIMEOUT);
  }

  private static String path(String jobId) {
    return "v1/jobs/" + URLEncoder.encode(jobId, StandardCharsets.UTF_8);
  }

  /**
   * Submits a request (without job id or tenant: the gateway sets both); the job as the gateway
   * answered.
   */
  public JsonObject submit(GenerateRequest request, String idempotencyKey)
      throws IOException, InterruptedException {
    HttpRequest.Builder post =
        request("v1/jobs")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(PRINTER.print(request)));
    if (idempotencyKey != null) {
      post.header("Idempotency-Key", idempotencyKey);
    }
    return json(send(post.build()));
  }

  /** The data shape of a model the fleet serves, if it serves it. */
  public Optional<int[]> dataShape(String model) throws IOException, InterruptedException {
    for (Object m : json(send(request("v1/models").GET().build())).getJsonArray("models")) {
      JsonObject known = (JsonObject) m;
      if (model.equals(known.getString("name"))) {
        return Optional.of(
            known.getJsonArray("dataShape").stream()
                .mapToInt(v -> ((Number) v).intValue())
                .toArray());
      }
    }
    return Optional.empty();
  }

  /** The job's state as the gateway shows it. */
  public JsonObject job(String jobId) throws IOException, InterruptedException {
    return json(send(request(path(jobId)).GET().build()));
  }

  /** Asks the gateway to cancel a job. */
  public void cancel(String jobId) throws IOException, InterruptedException {
    send(request(path(jobId)).DELETE().build());
  }

  /**
   * Follows a job's events to its final one, calling {@code onEvent} for each (image previews,
   * which come as PNG, go to {@code onPreviewPng} instead), reconnecting from the last event id
   * when the stream drops. A completed event is returned with its samples, read back from the
   * result.
   */
  public JobEvent follow(
      String jobId, Duration timeout, Consumer<JobEvent> onEvent, Consumer<byte[]> onPreviewPng)
      throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    String lastId = null;
    int failures = 0;
    while (Instant.now().isBefore(deadline)) {
      HttpRequest.Builder get =
          HttpRequest.newBuilder(base.resolve(path(jobId) + "/events"))
              .header("Authorization", "Bearer " + key)
              .header("Accept", "text/event-stream");
      if (lastId != null) {
        get.header("Last-Event-ID", lastId);
      }
      HttpResponse<Stream<String>> response;
      try {
        response = http.send(get.GET().build(), HttpResponse.BodyHandlers.ofLines());
      } catch (IOException e) {
        failures = backOff(failures, e);
        continue;
      }
      if (response.statusCode() != 200) {
        String body = String.join("\n", response.body().toList());
        throw refused(response.statusCode(), body);
      }
      Frame frame = new Frame();
      try (Stream<String> lines = response.body()) {
        Iterator<String> it = lines.iterator();
        while (it.hasNext()) {
          String line = it.next();
          if (!line.isEmpty()) {
            frame.add(line);
            continue;
          }
          Optional<JobEvent> end = frame.deliver(jobId, onEvent, onPreviewPng);
          if (frame.id != null) {
            lastId = frame.id;
          }
          if (end.isPresent()) {
            return withSamples(jobId, end.get());
          }
          frame = new Frame();
          failures = 0;
        }
      } catch (IOException | UncheckedIOException e) {
        failures = backOff(failures, e);
      }
    }
    throw new IllegalStateException(
        "job " + jobId + " did not end within " + timeout.toSeconds() + " s");
  }

  private static int backOff(int failures, Exception e) throws InterruptedException {
    if (failures >= 8) {
      throw new IllegalStateException(
          "the gateway's event stream keeps failing: " + e.getMessage(), e);
    }
    Thread.sleep(Math.min(5_000, 250L << failures));
    return failures + 1;
  }

  /** One Server-Sent Event, line by line. */
  private static final class Frame {
    String id;
    String type = "message";
    final StringBuilder data = new StringBuilder();

    void add(String line) {
      if (line.startsWith("id:")) {
        id = line.substring(3).trim();
      } else if (line.startsWith("event:")) {
        type = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5).trim());
      }
    }

    /** Passes the event on; the job's final event, if this is it. */
    Optional<JobEvent> deliver(
        String jobId, Consumer<JobEvent> onEvent, Consumer<byte[]> onPreviewPng)
        throws InvalidProtocolBufferException {
      if (data.length() == 0) {
        return Optional.empty();
      }
      JsonObject json;
      try {
        json = new JsonObject(data.toString());
      } catch (DecodeException e) {
        return Optional.empty();
      }
      switch (type) {
        case "behind", "error":
          return Optional.empty(); // the stream ends; the caller resumes from the last id
        case "state":
          return Optional.of(fromState(jobId, json));
        default:
          break;
      }
      JsonObject progress = json.getJsonObject("progress");
      if (progress != null && progress.containsKey("previewPng")) {
        String url = progress.getString("previewPng");
        onPreviewPng.accept(Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1)));
      }
      JobEvent.Builder event = JobEvent.newBuilder();
      PARSER.merge(json.encode(), event);
      JobEvent e = event.build();
      if (id != null && id.endsWith(".end")) {
        return Optional.of(e);
      }
      onEvent.accept(e);
      return Optional.empty();
    }
  }

  /** A final event made from a final state whose events the log no longer holds. */
  private static JobEvent fromState(String jobId, JsonObject json)
      throws InvalidProtocolBufferException {
    JobState.Builder state = JobState.newBuilder();
    PARSER.merge(json.encode(), state);
    JobEvent.Builder e = JobEvent.newBuilder().setJobId(jobId).setAttempt(state.getAttempt());
    switch (state.getStatus()) {
      case SUCCEEDED -> e.setCompleted(state.getResult());
      case FAILED -> e.setFailed(state.getFailure());
      default -> e.setCancelled(Cancelled.newBuilder().setReason("cancelled"));
    }
    return e.build();
  }

  /** A completed event with its samples, which event streams leave out: read back as .npy. */
  private JobEvent withSamples(String jobId, JobEvent end)
      throws IOException, InterruptedException {
    if (!end.hasCompleted()) {
      return end;
    }
    HttpResponse<byte[]> npy = resultNpy(jobId);
    // behind a load balancer, the gateway asked may not have read the job's end yet: it says
    // no_result for a moment
    for (int tries = 0;
        tries < 50
            && npy.statusCode() == 409
            && new String(npy.body(), StandardCharsets.UTF_8).contains("\"no_result\"");
        tries++) {
      Thread.sleep(100);
      npy = resultNpy(jobId);
    }
    if (npy.statusCode() != 200) {
      throw refused(npy.statusCode(), new String(npy.body(), StandardCharsets.UTF_8));
    }
    Npy.Array a = Npy.decode(npy.body());
    int[] sample = Arrays.copyOfRange(a.shape(), 1, a.shape().length);
    Completed completed =
        end.getCompleted().toBuilder()
            .setSamples(Tensors.of(a.values(), a.shape()[0], sample))
            .build();
    return end.toBuilder().setCompleted(completed).build();
  }

  private HttpResponse<byte[]> resultNpy(String jobId) throws IOException, InterruptedException {
    return http.send(
        request(path(jobId) + "/result?format=npy").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private String send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw refused(response.statusCode(), response.body());
    }
    return response.body();
  }

  private static Refused refused(int status, String body) {
    try {
      JsonObject error = new JsonObject(body).getJsonObject("error");
      return new Refused(
          status, error.getString("code"), error.getString("field"), error.getString("message"));
    } catch (RuntimeException e) {
      return new Refused(
          status,
          "http_" + status,
          null,
          "the gateway answered "
              + status
              + (body == null || body.isBlank()
                  ? ""
                  : ": " + body.substring(0, Math.min(200, body.length()))));
    }
  }

  private static JsonObject json(String body) {
    return new JsonObject(body);
  }
}
