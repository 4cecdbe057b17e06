package io.scorestream.bench;

import io.scorestream.gateway.Gateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fan-out through the gateway: jobs with previews, each followed by several Server-Sent Event
 * clients on loopback (Vert.x's HTTP client, in this JVM). Every client must receive every event of
 * its job, the same ids in the same order as the other clients of that job, ending with the final
 * one. The delay of each event is the time from its creation (the worker's {@code time} on the
 * event; same clock, same machine) to a client having read it, counted for events created while the
 * client was connected. The gateway's memory: the bytes its event hub holds, and this JVM's heap
 * (broker, worker, gateway and clients together) with every stream open against before.
 */
final class FanOutBench {
  private static final Pattern TIME = Pattern.compile("\"time\":\"([^\"]+)\"");
  private final PrintWriter out;
  private final Gateway gateway;
  private final String key;
  private final int steps;

  FanOutBench(PrintWriter out, Gateway gateway, String key, int steps) {
    this.out = out;
    this.gateway = gateway;
    this.key = key;
    this.steps = steps;
  }

  /** One client's stream: the ids it read, the delays it saw, when it connected. */
  private static final class Stream {
    final String jobId;
    final List<String> ids = new ArrayList<>();
    final StringBuilder pending = new StringBuilder();
    volatile Instant connected;
    volatile boolean ended;
    volatile String failure;

    Stream(String jobId) {
      this.jobId = jobId;
    }
  }

  void run(int clients, int jobs) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(Version.HTTP_1_1).build();
    List<String> ids = new ArrayList<>();
    for (int j = 0; j < jobs; j++) {
      String body =
          new JsonObject()
              .put("modelName", "mlp")
              .put("numSamples", 64)
              .put("seed", 7 + j)
              .put("sampler", new JsonObject().put("steps", steps))
              .put("preview", new JsonObject().put("everySteps", 10))
              .encode();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/jobs"))
                  .header("Authorization", "Bearer " + key)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 202) {
        throw new IllegalStateException("submission refused: " + r.body());
      }
      ids.add(new JsonObject(r.body()).getString("jobId"));
    }
    long heapBefore = heapAfterGc();
    Vertx vertx = Vertx.vertx();
    ConcurrentLinkedQueue<Long> delays = new ConcurrentLinkedQueue<>();
    List<Stream> streams = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(clients);
    io.vertx.core.http.HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions().setIdleTimeout(0),
            new PoolOptions().setHttp1MaxSize(clients + 8));
    long[] peakHeld = new long[1];
    try {
      for (int c = 0; c < clients; c++) {
        Stream s = new Stream(ids.get(c % jobs));
        streams.add(s);
        open(client, s, delays, done);
      }
      long heapOpen = -1;
      long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
      while (!done.await(500, TimeUnit.MILLISECONDS)) {
        peakHeld[0] = Math.max(peakHeld[0], eventBytesHeld(http));
        if (heapOpen < 0 && streams.stream().allMatch(s -> s.connected != null)) {
          heapOpen = heapAfterGc();
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              (clients - done.getCount()) + " of " + clients + " streams ended in 15 min");
        }
      }
      report(streams, delays, jobs, heapBefore, heapOpen, peakHeld[0]);
    } finally {
      client.close();
      vertx.close();
    }
  }

  private void open(
      io.vertx.core.http.HttpClient client,
      Stream s,
      ConcurrentLinkedQueue<Long> delays,
      CountDownLatch done) {
    URI url = URI.create(gateway.url());
    client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(url.getHost())
                .setPort(url.getPort())
                .setURI("/v1/jobs/" + s.jobId + "/events")
                .addHeader("Authorization", "Bearer " + key))
        .compose(req -> req.send())
        .onSuccess(
            resp -> {
              s.connected = Instant.now();
              resp.handler(buffer -> read(s, buffer.toString(), delays));
              resp.endHandler(
                  v -> {
                    s.ended = true;
                    done.countDown();
                  });
              resp.exceptionHandler(
                  e -> {
                    s.failure = e.toString();
                    done.countDown();
                  });
            })
        .onFailure(
            e -> {
              s.failure = e.toString();
              done.countDown();
            });
  }

  /** Feeds a chunk of the stream; each complete event gets its id kept and its delay counted. */
  private static void read(Stream s, String chunk, ConcurrentLinkedQueue<Long> delays) {
    Instant now = Instant.now();
    s.pending.append(chunk);
    int end;
    while ((end = s.pending.indexOf("\n\n")) >= 0) {
      String frame = s.pending.substring(0, end);
      s.pending.delete(0, end + 2);
      String id = null;
      String data = null;
      for (String line : frame.split("\n")) {
        if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (id == null || data == null) {
        continue;
      }
      s.ids.add(id);
      Matcher m = TIME.matcher(data);
      if (m.find()) {
        Instant created = Instant.parse(m.group(1));
        if (created.isAfter(s.connected)) {
          delays.add(Duration.between(created, now).toNanos() / 1000);
        }
      }
    }
  }

  private void report(
      List<Stream> streams,
      ConcurrentLinkedQueue<Long> delays,
      int jobs,
      long heapBefore,
      long heapOpen,
      long peakHeld) {
    int complete = 0;
    int failed = 0;
    long events = 0;
    for (Stream s : streams) {
      List<String> reference =
          streams.stream().filter(o -> o.jobId.equals(s.jobId)).findFirst().orElseThrow().ids;
      boolean whole =
          s.failure == null
              && !s.ids.isEmpty()
              && s.ids.get(s.ids.size() - 1).endsWith(".end")
              && s.ids.equals(reference);
      complete += whole ? 1 : 0;
      failed += s.failure != null ? 1 : 0;
      events += s.ids.size();
    }
    long[] sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
    out.println(
        "| clients | jobs | events read | clients with every event of their job | failed "
            + "| delays counted | p50 (ms) | p99 (ms) | max (ms) | event bytes held (peak) | JVM heap, streams open - before |");
    out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    out.printf(
        "| %d | %d | %d | %d | %d | %d | %.1f | %.1f | %.1f | %.1f MiB | %.1f MiB |%n",
        streams.size(),
        jobs,
        events,
        complete,
        failed,
        sorted.length,
        percentile(sorted, 0.5),
        percentile(sorted, 0.99),
        sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e3,
        peakHeld / 1048576.0,
        heapOpen < 0 ? Double.NaN : (heapOpen - heapBefore) / 1048576.0);
    out.flush();
  }

  private static double percentile(long[] sorted, double q) {
    return sorted.length == 0
        ? Double.NaN
        : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e3;
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The gateway's gauge of event bytes held, from its /metrics. */
  private long eventBytesHeld(HttpClient http) {
    try {
      String metrics =
          http.send(
                  HttpRequest.newBuilder(URI.create(gateway.url() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return Arrays.stream(metrics.split("\n"))
          .filter(l -> l.startsWith("gateway_event_bytes_held"))
          .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
          .findFirst()
          .orElse(0);
    } catch (Exception e) {
      return 0;
    }
  }
}
