package io.scorestream.core.sample;

import io.scorestream.core.sde.Sde;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PC schedules shared between jobs with the same SDE and schedule settings, so that a thousand
 * single-sample jobs of 1,000 steps hold one schedule (74 KB) instead of a thousand, and a job
 * starts without recomputing it. A bounded cache, least recently used first out, owned by one
 * thread (a worker's scheduler); not thread-safe.
 */
public final class PcSchedules {
  /**
   * What a schedule depends on: everything of the settings but the snr, which the corrector reads
   * as it runs.
   */
  private record Key(
      Sde sde,
      PredictorKind predictor,
      CorrectorKind corrector,
      int correctorSteps,
      int steps,
      boolean predictorFirst,
      double eps) {}

  private final long maxOps;
  private final Map<Key, PcSchedule> cache = new LinkedHashMap<>(16, 0.75f, true);
  private long ops;
  private long hits;

  /**
   * @param maxOps the most score evaluations the cached schedules may plan together (37 bytes
   *     each); 0: none
   */
  public PcSchedules(long maxOps) {
    if (maxOps < 0) {
      throw new IllegalArgumentException("the cache size must be zero or more, got " + maxOps);
    }
    this.maxOps = maxOps;
  }

  /** A cache that keeps nothing: every job computes its own schedule. */
  public static PcSchedules none() {
    return new PcSchedules(0);
  }

  /** The schedule for these settings, shared when one was built before and is still cached. */
  PcSchedule get(Sde sde, SamplerSpec spec, double eps) {
    Key key =
        new Key(
            sde,
            spec.predictor(),
            spec.corrector(),
            spec.correctorSteps(),
            spec.steps(),
            spec.predictorFirst(),
            eps);
    PcSchedule schedule = cache.get(key);
    if (schedule != null) {
      hits++;
      return schedule;
    }
    schedule = new PcSchedule(sde, spec, eps);
    if (schedule.length() <= maxOps) {
      cache.put(key, schedule);
      ops += schedule.length();
      for (Iterator<PcSchedule> oldest = cache.values().iterator(); ops > maxOps; ) {
        ops -= oldest.next().length();
        oldest.remove();
      }
    }
    return schedule;
  }

  /** Schedules served from the cache so far. */
  public long hits() {
    return hits;
  }

  /** Schedules held now. */
  public int size() {
    return cache.size();
  }
}
