package io.scorestream.worker.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which delivered job records are finished, per partition. Jobs finish out of order; the offset
 * committed for a partition is the lowest one still unfinished (or one past the last seen), so a
 * record is committed only after its job's final event and every earlier job's too. Used from one
 * thread.
 */
final class PartitionOffsets {
  /** Per partition: offset to job id, for jobs not yet finished. */
  private final Map<TopicPartition, TreeMap<Long, String>> open = new HashMap<>();

  private final Map<TopicPartition, Long> nextOffset = new HashMap<>();

  void delivered(TopicPartition p, long offset, String jobId) {
    open.computeIfAbsent(p, k -> new TreeMap<>()).put(offset, jobId);
    nextOffset.merge(p, offset + 1, Math::max);
  }

  void finished(TopicPartition p, long offset) {
    TreeMap<Long, String> jobs = open.get(p);
    if (jobs != null) {
      jobs.remove(offset);
    }
  }

  /** The offsets to commit now. */
  Map<TopicPartition, OffsetAndMetadata> committable() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    nextOffset.forEach(
        (p, next) -> {
          TreeMap<Long, String> jobs = open.get(p);
          long commit = jobs == null || jobs.isEmpty() ? next : jobs.firstKey();
          out.put(p, new OffsetAndMetadata(commit));
        });
    return out;
  }

  /** The ids of a partition's delivered jobs that have not finished. */
  Set<String> unfinished(TopicPartition p) {
    TreeMap<Long, String> jobs = open.get(p);
    return jobs == null ? Set.of() : Set.copyOf(jobs.values());
  }

  /** Forgets a partition that went to another worker. */
  void revoke(TopicPartition p) {
    nextOffset.remove(p);
    open.remove(p);
  }
}
