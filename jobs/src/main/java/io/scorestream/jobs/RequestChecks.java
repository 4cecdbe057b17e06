package io.scorestream.jobs;

import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.sample.InvalidSettingException;
import io.scorestream.core.sample.Samplers;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.PreviewSettings;
import io.scorestream.proto.v1.Webhook;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every check of a request, in one place, run at intake: by the gateway before it answers (422
 * naming the field) and by the worker before the job waits for room (a failed event). {@link
 * #check(GenerateRequest)} needs the request alone; {@link #check(GenerateRequest, ModelInfo)} also
 * checks it against the model that will serve it. Whether a model is served at all is the fleet's
 * to say, not the request's.
 */
public final class RequestChecks {
  /** Job ids: what a URL path, a Kafka key and a log line carry safely. */
  public static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** Tenant names. */
  public static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Model names: they also name topics and metric labels. */
  public static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  /** Model versions. */
  public static final Pattern MODEL_VERSION = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * The largest request: a quarter of a record, so that the request and the accepted event that
   * carries it, and the dead letter that quotes it, always fit a record, whatever the request
   * holds.
   */
  public static final int MAX_REQUEST_BYTES = Topics.MAX_MESSAGE_BYTES / 4;

  /** The most previews a second a job may ask for (and get: the worker enforces it too). */
  public static final double MAX_PREVIEWS_PER_SECOND = 20;

  /** Priorities run from minus to plus this. */
  public static final int MAX_PRIORITY = 1_000_000;

  /**
   * What this service accepts.
   *
   * @param maxSamplesPerJob the largest job
   * @param maxResultBytes the largest result tensor a completed event (and the final state) can
   *     carry
   */
  public record Limits(int maxSamplesPerJob, long maxResultBytes) {
    /**
     * Room in a record for everything of a completed event or final state but the result tensor.
     */
    public static final int RECORD_HEADROOM_BYTES = 1 << 20;

    /** Limits with the largest result that fits a record. */
    public static Limits withMaxSamples(int maxSamplesPerJob) {
      return new Limits(maxSamplesPerJob, Topics.MAX_MESSAGE_BYTES - RECORD_HEADROOM_BYTES);
    }
  }

  private final Limits limits;

  public RequestChecks(Limits limits) {
    this.limits = limits;
  }

  /** The first problem of a request taken alone, if any. */
  public Optional<Problem> check(GenerateRequest r) {
    try {
      checkAlone(r);
      return Optional.empty();
    } catch (RequestException e) {
      return Optional.of(e.problem());
    }
  }

  /**
   * The first problem of a request without guidance, alone or for the model that would serve it, if
   * any.
   */
  public Optional<Problem> check(GenerateRequest r, ModelInfo model) {
    return check(r, model, null);
  }

  /**
   * The first problem of a request, alone or for the model that would serve it and the classifier
   * that would guide it (null when the request asks for no guidance; the caller reports a
   * classifier it cannot find), if any.
   */
  public Optional<Problem> check(GenerateRequest r, ModelInfo model, ModelInfo classifier) {
    try {
      JobCodec.Decoded decoded = checkAlone(r);
      if (decoded.guidance() != null) {
        if (classifier == null) {
          throw new IllegalArgumentException("a guided request is checked against its classifier");
        }
        model = decoded.guidance().guided(model, classifier);
      }
      checkForModel(r, decoded, model);
      return Optional.empty();
    } catch (RequestException e) {
      return Optional.of(e.problem());
    }
  }

  private JobCodec.Decoded checkAlone(GenerateRequest r) {
    int size = r.getSerializedSize();
    if (size > MAX_REQUEST_BYTES) {
      throw new Problem(
              FailureCode.TOO_LARGE,
              "",
              "the request is "
                  + size / 1024
                  + " KiB; at most "
                  + MAX_REQUEST_BYTES / 1024
                  + " KiB are accepted")
          .exception();
    }
    KnownValues.problem(r)
        .ifPresent(
            p -> {
              throw p
                  .exception(); // an enum number or timestamp this build cannot carry on, anywhere
              // in the request
            });
    matches("jobId", r.getJobId(), JOB_ID);
    matches("tenant", r.getTenant(), TENANT);
    matches("modelName", r.getModelName(), MODEL_NAME);
    if (r.hasModelVersion()) {
      matches("modelVersion", r.getModelVersion(), MODEL_VERSION);
    }
    int n = r.getNumSamples();
    if (n <= 0) {
      throw Problem.invalid("numSamples", "numSamples must be positive, got " + n).exception();
    }
    if (n > limits.maxSamplesPerJob()) {
      throw new Problem(
              FailureCode.TOO_LARGE,
              "numSamples",
              "numSamples "
                  + n
                  + " is over the limit of "
                  + limits.maxSamplesPerJob()
                  + " samples per job; split the work into several jobs")
          .exception();
    }
    if (Math.abs((long) r.getPriority()) > MAX_PRIORITY) {
      throw Problem.invalid(
              "priority",
              "priority must lie in [-"
                  + MAX_PRIORITY
                  + ", "
                  + MAX_PRIORITY
                  + "], got "
                  + r.getPriority())
          .exception();
    }
    checkPreview(r.getPreview());
    if (r.hasWebhook()) {
      checkWebhook(r.getWebhook());
    }
    return JobCodec.decode(r);
  }

  private static void checkPreview(PreviewSettings p) {
    if (p.getEverySteps() < 0) {
      throw Problem.invalid(
              "preview.everySteps",
              "preview.everySteps must be zero (none) or more, got " + p.getEverySteps())
          .exception();
    }
    double rate = p.getMaxPerSecond();
    if (!(rate >= 0 && rate <= MAX_PREVIEWS_PER_SECOND)) {
      throw Problem.invalid(
              "preview.maxPerSecond",
              "preview.maxPerSecond must lie in [0, "
                  + (int) MAX_PREVIEWS_PER_SECOND
                  + "] (0: no rate limit), got "
                  + rate)
          .exception();
    }
  }

  /** The events a webhook may ask for; a webhook that names none gets the final ones. */
  public static final List<String> WEBHOOK_EVENTS =
      List.of("accepted", "started", "progress", "completed", "failed", "cancelled");

  /** The longest webhook URL taken. */
  public static final int MAX_WEBHOOK_URL = 2048;

  private static void checkWebhook(Webhook w) {
    String url = w.getUrl();
    if (url.isEmpty()) {
      throw Problem.invalid("webhook.url", "webhook.url is required when a webhook is given")
          .exception();
    }
    if (url.length() > MAX_WEBHOOK_URL) {
      throw Problem.invalid(
              "webhook.url",
              "webhook.url is "
                  + url.length()
                  + " characters; at most "
                  + MAX_WEBHOOK_URL
                  + " are taken")
          .exception();
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw Problem.invalid("webhook.url", "webhook.url is not a URL: " + e.getReason())
          .exception();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw Problem.invalid("webhook.url", "webhook.url must be an https:// (or http://) URL")
          .exception();
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw Problem.invalid(
              "webhook.url", "webhook.url needs a host, and no user:password@ or #fragment")
          .exception();
    }
    Set<String> seen = new HashSet<>();
    for (String event : w.getEventsList()) {
      if (!WEBHOOK_EVENTS.contains(event) || !seen.add(event)) {
        throw Problem.invalid(
                "webhook.events",
                "webhook.events may name each of "
                    + String.join(", ", WEBHOOK_EVENTS)
                    + " once; got '"
                    + Texts.cut(event, 40, "...")
                    + "'")
            .exception();
      }
    }
  }

  private void checkForModel(GenerateRequest r, JobCodec.Decoded decoded, ModelInfo model) {
    int n = r.getNumSamples();
    if (decoded.inverse() != null) {
      decoded.inverse().check(decoded.spec(), model, n, decoded.labels(), limits);
    } else {
      try {
        Samplers.check(decoded.spec(), model, n, decoded.labels());
      } catch (InvalidSettingException e) {
        throw JobCodec.problem(e).exception();
      }
      if (decoded.task() != null) {
        decoded.task().check(decoded.spec(), model, n, limits);
      }
    }
    if (r.getSampler().hasLatent()) {
      long[] want = new long[model.dataShape().length + 1];
      want[0] = n;
      for (int i = 0; i < model.dataShape().length; i++) {
        want[i + 1] = model.dataShape()[i];
      }
      long[] given =
          r.getSampler().getLatent().getShapeList().stream().mapToLong(Long::longValue).toArray();
      if (!Arrays.equals(want, given)) {
        throw Problem.invalid(
                "sampler.latent",
                "sampler.latent must have shape "
                    + Arrays.toString(want)
                    + " (numSamples, then the model's data shape), got "
                    + Arrays.toString(given))
            .exception();
      }
    }
    long bytes = (long) n * model.dimension() * Float.BYTES;
    if (bytes > limits.maxResultBytes()) {
      throw new Problem(
              FailureCode.TOO_LARGE,
              "numSamples",
              "the result of "
                  + n
                  + " samples of "
                  + model.name()
                  + " would be "
                  + bytes / (1 << 20)
                  + " MiB, over the "
                  + limits.maxResultBytes() / (1 << 20)
                  + " MiB a job's result can be; ask for fewer samples per job")
          .exception();
    }
  }

  static void matches(String field, String value, Pattern pattern) {
    if (value.isEmpty()) {
      throw Problem.invalid(field, field + " is required").exception();
    }
    if (!pattern.matcher(value).matches()) {
      String shown = Texts.cut(value, 40, "... (" + value.length() + " characters)");
      throw Problem.invalid(
              field,
              field
                  + " must match "
                  + pattern.pattern()
                  + ", got '"
                  + shown.replaceAll("\\p{Cntrl}", "?")
                  + "'")
          .exception();
    }
  }
}
