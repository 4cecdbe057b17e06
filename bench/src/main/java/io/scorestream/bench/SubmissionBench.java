package io.scorestream.bench;

import io.scorestream.gateway.Gateway;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Submissions through the gateway: small jobs (one sample, ten steps) posted with a fixed number in
 * flight for a fixed time, against the broker in the same box; jobs accepted per second and the
 * latency of a POST.
 */
final class SubmissionBench {
  private static final String BODY =
      "{\"modelName\": \"mlp\", \"numSamples\": 1, \"sampler\": {\"steps\": 10}}";
  private final PrintWriter out;
  private final Gateway gateway;
  private final String key;

  SubmissionBench(PrintWriter out, Gateway gateway, String key) {
    this.out = out;
    this.gateway = gateway;
    this.key = key;
  }

  void run(int concurrency, Duration length, boolean threadCpu) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest post =
        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/jobs"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(BODY))
            .build();
    for (int i = 0; i < 50; i++) {
      http.send(post, HttpResponse.BodyHandlers.discarding()); // warm-up: JIT, connections
    }
    ThreadCpu cpu = new ThreadCpu();
    Semaphore inFlight = new Semaphore(concurrency);
    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    long end = start + length.toNanos();
    while (System.nanoTime() < end) {
      if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        continue;
      }
      long sent = System.nanoTime();
      http.sendAsync(post, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (r, e) -> {
                statuses
                    .computeIfAbsent(e != null ? -1 : r.statusCode(), s -> new AtomicLong())
                    .incrementAndGet();
                latencies.add((System.nanoTime() - sent) / 1000);
                inFlight.release();
              });
    }
    inFlight.acquire(concurrency);
    double seconds = (System.nanoTime() - start) / 1e9;
    long accepted = statuses.getOrDefault(202, new AtomicLong()).get();
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    out.println(
        "| in flight | seconds | accepted (202) | jobs accepted/s | POST p50 (ms) | POST p99 (ms) | statuses |");
    out.println("| ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    out.printf(
        "| %d | %.1f | %d | %.0f | %.1f | %.1f | %s |%n",
        concurrency,
        seconds,
        accepted,
        accepted / seconds,
        sorted[sorted.length / 2] / 1e3,
        sorted[Math.min(sorted.length - 1, (int) (0.99 * sorted.length))] / 1e3,
        new TreeMap<>(statuses));
    if (threadCpu) {
      cpu.print(out, 14);
    }
    out.flush();
  }
}
