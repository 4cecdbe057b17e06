package io.scorestream.gateway.auth;

/**
 * One tenant of the gateway: who its API keys name, and what it may ask of the fleet.
 *
 * @param name the tenant stamped on its jobs (RequestChecks.TENANT)
 * @param ratePerSecond sustained job submissions per second
 * @param burst submissions allowed at once above the sustained rate
 * @param maxActiveJobs jobs queued or running at once
 * @param webhookSecret the key its webhook deliveries are signed with (Standard Webhooks), or empty
 */
public record Tenant(
    String name, double ratePerSecond, int burst, int maxActiveJobs, String webhookSecret) {
  /** The limits a tenant gets when its entry names none. */
  public static final double DEFAULT_RATE_PER_SECOND = 20;

  public static final int DEFAULT_BURST = 40;
  public static final int DEFAULT_MAX_ACTIVE_JOBS = 200;
}
