package io.scorestream.gateway.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Posts one signed webhook to one checked address: the connection goes to the address the policy
 * took (the URL's host only names the server), redirects are not followed, and the whole attempt
 * has a deadline. The answer is classed as Standard Webhooks receivers expect: 2xx delivered; 408,
 * 429, 5xx, timeouts and network errors worth another try (after {@code Retry-After} when given);
 * any other status refused for good.
 */
final class WebhookSender implements AutoCloseable {
  /** How an attempt ended. */
  enum Kind {
    DELIVERED,
    RETRY,
    REFUSED
  }

  /**
   * An attempt's outcome.
   *
   * @param retryAfter what the receiver asked to wait, when it did
   */
  record Outcome(Kind kind, String detail, Optional<Duration> retryAfter) {
    static Outcome retry(String detail) {
      return new Outcome(Kind.RETRY, detail, Optional.empty());
    }
  }

  private static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
  private final Vertx vertx;
  private final HttpClient client;
  private final Duration timeout;

  WebhookSender(Vertx vertx, Duration timeout, int maxConnections) {
    this.vertx = vertx;
    this.timeout = timeout;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout(
                    (int)
                        Math.min(
                            timeout.toMillis(),
                            10_000)) // a receiver that does not answer is a retry
                .setVerifyHost(true) // https: the certificate names the URL's host
                .setMaxRedirects(0), // a redirect could lead anywhere
            new PoolOptions().setHttp1MaxSize(maxConnections)); // per receiver
  }

  /** Posts {@code body} with the given headers to {@code url}, connecting to {@code address}. */
  Future<Outcome> post(URI url, InetAddress address, Map<String, String> headers, String body) {
    boolean https = "https".equalsIgnoreCase(url.getScheme());
    int port = url.getPort() > 0 ? url.getPort() : https ? 443 : 80;
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(url.toString())
            .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
            .setFollowRedirects(false)
            .setIdleTimeout(timeout.toMillis());
    headers.forEach(options::putHeader);
    options
        .putHeader("Content-Type", "application/json")
        .putHeader("User-Agent", "ScoreStream-Webhooks/1");
    Promise<Outcome> done = Promise.promise();
    long deadline =
        vertx.setTimer(
            timeout.toMillis(),
            id ->
                done.tryComplete(Outcome.retry("no answer within " + timeout.toSeconds() + " s")));
    client
        .request(options)
        .compose(request -> request.send(body))
        .compose(
            response ->
                response
                    .body()
                    .map(
                        ignored ->
                            classify(response.statusCode(), response.getHeader("Retry-After"))))
        .onComplete(
            result -> {
              vertx.cancelTimer(deadline);
              done.tryComplete(
                  result.succeeded()
                      ? result.result()
                      : Outcome.retry(
                          result.cause().getClass().getSimpleName()
                              + ": "
                              + result.cause().getMessage()));
            });
    return done.future();
  }

  static Outcome classify(int status, String retryAfter) {
    if (status >= 200 && status < 300) {
      return new Outcome(Kind.DELIVERED, "HTTP " + status, Optional.empty());
    }
    if (status == 408 || status == 429 || status >= 500) {
      return new Outcome(Kind.RETRY, "HTTP " + status, parseRetryAfter(retryAfter));
    }
    return new Outcome(Kind.REFUSED, "HTTP " + status, Optional.empty());
  }

  private static Optional<Duration> parseRetryAfter(String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      long seconds = Long.parseLong(value.trim());
      return seconds < 0
          ? Optional.empty()
          : Optional.of(Duration.ofSeconds(seconds))
              .map(d -> d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d);
    } catch (NumberFormatException e) {
      return Optional.empty(); // an HTTP date: the backoff decides instead
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
