package io.scorestream.jobs.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How many copies of each record the fleet's topics keep: the replication factor, and {@code
 * min.insync.replicas}, the copies that must hold a record before an {@code acks=all} send counts
 * (every ScoreStream producer sends with acks=all).
 *
 * @param replicas each partition's copies
 * @param minInsync the copies in sync a write needs; with 3 and 2, one broker may be lost without
 *     losing a record or refusing a write
 */
public record Replication(short replicas, int minInsync) {
  /** One copy: a single broker (dev, tests, a laptop). */
  public static final Replication SINGLE = new Replication((short) 1, 1);

  public Replication {
    if (replicas < 1 || minInsync < 1 || minInsync > replicas) {
      throw new IllegalArgumentException(
          "replication " + replicas + " with " + minInsync + " in sync is not possible");
    }
  }

  /**
   * On a cluster of {@code brokers}: three copies of which two in sync from three brokers up; below
   * that, a copy per broker and one in sync.
   */
  public static Replication forBrokers(int brokers) {
    if (brokers < 1) {
      throw new IllegalArgumentException("a cluster has at least one broker, not " + brokers);
    }
    return brokers >= 3 ? new Replication((short) 3, 2) : new Replication((short) brokers, 1);
  }

  /** {@code configs} with this replication's {@code min.insync.replicas}. */
  public Map<String, String> withMinInsync(Map<String, String> configs) {
    Map<String, String> all = new HashMap<>(configs);
    all.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsync));
    return all;
  }

  @Override
  public String toString() {
    return "replication " + replicas + ", min.insync.replicas " + minInsync;
  }
}
