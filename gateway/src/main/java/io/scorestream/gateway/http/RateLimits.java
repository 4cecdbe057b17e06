package io.scorestream.gateway.http;

import io.scorestream.gateway.auth.Tenant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-tenant token buckets for job submissions: {@link Tenant#burst()} at once, refilled at {@link
 * Tenant#ratePerSecond()}. Per gateway: N gateways behind a balancer admit up to N times the rate.
 */
final class RateLimits {
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** Zero when a submission may go now (and takes its token), else the seconds until one may. */
  long tryAcquire(Tenant tenant, long nowNanos) {
    return buckets
        .computeIfAbsent(tenant.name(), n -> new Bucket(tenant.burst(), nowNanos))
        .take(tenant.ratePerSecond(), tenant.burst(), nowNanos);
  }

  private static final class Bucket {
    private double tokens;
    private long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }

    synchronized long take(double rate, int burst, long now) {
      tokens = Math.min(burst, tokens + rate * (now - at) / 1e9);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) / rate);
    }
  }
}
