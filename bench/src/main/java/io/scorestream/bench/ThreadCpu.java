package io.scorestream.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPU time of this JVM's threads over a stretch of a benchmark, summed by thread name (digits
 * folded).
 */
final class ThreadCpu {
  private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> start = new HashMap<>();

  /** Starts counting now. */
  ThreadCpu() {
    for (long id : mx.getAllThreadIds()) {
      start.put(id, mx.getThreadCpuTime(id));
    }
  }

  /** Prints the busiest {@code top} thread groups since the start, as table rows. */
  void print(PrintWriter out, int top) {
    Map<String, Long> byName = new TreeMap<>();
    for (long id : mx.getAllThreadIds()) {
      var info = mx.getThreadInfo(id);
      if (info != null) {
        byName.merge(
            info.getThreadName().replaceAll("[0-9]+", "#"),
            mx.getThreadCpuTime(id) - start.getOrDefault(id, 0L),
            Long::sum);
      }
    }
    byName.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(top)
        .forEach(
            e ->
                out.printf(
                    "|   | CPU of threads %s | %.1f ms |%n", e.getKey(), e.getValue() / 1e6));
  }
}
