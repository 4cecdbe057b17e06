package io.scorestream.worker.jobs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The cancels a scheduler has to apply: those on their way from the control reader, and those that
 * came before their job, kept per job id and asking tenant (a stranger's cancel of an id sits
 * beside the owner's, never in its place) until the job arrives, up to {@link #MAX_EARLY}. Reasons
 * are cut to {@link #MAX_REASON_CHARS}: a reason goes into the job's cancelled event, and a reason
 * of megabytes on the control topic, which every worker reads, would make an event too large to
 * send on every worker the job reached.
 */
final class Cancels {
  /** The longest cancel reason a cancelled event repeats. */
  static final int MAX_REASON_CHARS = 1000;

  /** The most early cancels kept: cancels of jobs that never come here must not pile up forever. */
  private static final int MAX_EARLY = 100_000;

  /** A tenant's cancel of a job, with the reason its readers are told. */
  record Request(String jobId, String tenant, String reason) {}

  private record Key(String jobId, String tenant) {}

  private final ConcurrentLinkedQueue<Request> incoming = new ConcurrentLinkedQueue<>();
  private final Map<Key, String> early =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, String> eldest) {
          return size() > MAX_EARLY;
        }
      };

  /** Queues a cancel for the scheduler; an empty reason becomes a plain one. Thread-safe. */
  void add(String jobId, String tenant, String reason) {
    String given = io.scorestream.jobs.Texts.cut(reason, MAX_REASON_CHARS, "...");
    incoming.add(new Request(jobId, tenant, given.isEmpty() ? "cancelled on request" : given));
  }

  /** The next queued cancel, or null. Scheduler thread. */
  Request poll() {
    return incoming.poll();
  }

  /** Keeps a cancel whose job has not come yet. Scheduler thread. */
  void keepForLater(Request cancel) {
    early.put(new Key(cancel.jobId(), cancel.tenant()), cancel.reason());
  }

  /**
   * The reason of this tenant's early cancel of this job, taken, or null when it sent none.
   * Scheduler thread.
   */
  String takeEarly(String jobId, String tenant) {
    return early.remove(new Key(jobId, tenant));
  }
}
