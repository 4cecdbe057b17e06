package io.scorestream.gateway.webhooks;

import java.time.Duration;

/**
 * How a gateway delivers webhooks.
 *
 * @param policy where deliveries may go
 * @param firstRetry the wait before the second attempt; each later wait doubles, up to {@code
 *     maxBackoff}
 * @param maxBackoff the longest wait between attempts
 * @param maxAttempts attempts of a final event's delivery before it is given up
 * @param timeout how long one attempt may take
 */
public record WebhookSettings(
    WebhookPolicy policy,
    Duration firstRetry,
    Duration maxBackoff,
    int maxAttempts,
    Duration timeout) {
  /**
   * Retries after 5 s, 10 s, 20 s, ... up to an hour apart, 16 attempts (about 8 hours), 10 s per
   * attempt.
   */
  public static WebhookSettings defaults(WebhookPolicy policy) {
    return new WebhookSettings(
        policy, Duration.ofSeconds(5), Duration.ofHours(1), 16, Duration.ofSeconds(10));
  }

  /** The wait after attempt {@code attempts} failed (1 for the first), before jitter. */
  public Duration backoff(int attempts) {
    long ms = firstRetry.toMillis() << Math.min(30, Math.max(0, attempts - 1));
    return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
  }
}
