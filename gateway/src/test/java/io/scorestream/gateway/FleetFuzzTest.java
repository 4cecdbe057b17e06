package io.scorestream.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.scorestream.gateway.auth.Tenants;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.jobs.Texts;
import io.scorestream.jobs.fuzz.FuzzBases;
import io.scorestream.jobs.fuzz.MessageFuzz;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.CheckpointPart;
import io.scorestream.proto.v1.Control;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.WebhookDelivery;
import io.scorestream.proto.v1.WorkerHeartbeat;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.worker.kafka.JobConsumer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded, structure-aware fuzzing of every topic a service reads and of the HTTP API, through the
 * real paths: a real broker, a worker and a gateway of their own (hostile heartbeats and states
 * must not leak into other tests). Each record is a valid message of its kind with one to four
 * fields given hostile values, or its bytes damaged ({@code MessageFuzz}); requests go to the jobs
 * topic and as JSON bodies to {@code POST /v1/jobs}, beside cancels, heartbeats, checkpoints and
 * their parts, job states, job events and webhook deliveries. In the end the worker has not stopped
 * and has answered every job record (its group committed the jobs topic to its end: a job's record
 * is committed only after its final event or its dead letter), no HTTP answer was a 5xx, and the
 * gateway still streams a new job to its end. {@code -Dscorestream.fuzz.cases=N} runs more
 * (BENCHMARKS.md, "Fuzzing").
 */
@ExtendWith({VertxExtension.class, SharedBroker.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("integration")
class FleetFuzzTest {
  private static final long SEED = 20261203;
  private static final int CASES = Integer.getInteger("scorestream.fuzz.cases", 1500);
  private static final String KEY = "ss_fuzz-key";
  private static final JsonFormat.Printer JSON = JsonFormat.printer();
  private Fleet fleet;
  private Gateway gateway;
  private Http http;
  private Vertx vertx;

  /** Where the workers' group stands, for the message of a wait that times out. */
  private final Map<String, String> lag = new ConcurrentSkipListMap<>();

  private final FuzzBases bases =
      new FuzzBases(Fleet.MODEL, Fleet.MODES, Fleet.IMAGES, Fleet.COLOURS);

  @BeforeAll
  void start(Vertx vertx, TestKafka kafka, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    fleet = new Fleet(dir, kafka);
    Tenants tenants =
        Tenants.parse(
            "{\"tenants\": [{\"name\": \"a\", \"keyHashes\": [\""
                + Tenants.hash(KEY)
                + "\"], \"ratePerSecond\": 100000, \"burst\": 100000, \"maxActiveJobs\": 100000}]}",
            "fuzz tenants");
    gateway =
        Gateway.start(Gateway.Settings.of(fleet.clients, fleet.names, tenants, "127.0.0.1", 0));
    http = new Http(vertx, gateway.port());
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                Fleet.servesAll(http.get("/v1/models", KEY).json())
                    && http.get("/readyz", null).status() == 200);
  }

  @AfterAll
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void hostileRecordsOnEveryTopicAndHostileBodiesLeaveEveryServiceAliveAndEveryJobAnswered()
      throws Exception {
    MessageFuzz fuzz = new MessageFuzz(SEED);
    List<GenerateRequest> requests = bases.requests("fz");
    List<Control> cancels = new ArrayList<>();
    int sent = 0;
    try (KafkaProducer<String, byte[]> producer =
        fleet.clients.producer(
            Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Topics.MAX_MESSAGE_BYTES))) { // records of megabytes among them
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < CASES / 2; i++) {
        GenerateRequest base =
            requests.get(fuzz.random().nextInt(requests.size())).toBuilder()
                .setJobId("fz-job-" + i)
                .build();
        byte[] value = hostile(fuzz, base);
        String key = fuzz.random().nextInt(10) == 0 ? fuzz.hostileString() : base.getJobId();
        acks.add(producer.send(new ProducerRecord<>(fleet.names.jobs(), key, value)));
        cancels.add(ownersCancel(key, value));
        sent++;
      }
      for (int i = 0; i < CASES / 20; i++) {
        Control c = FuzzBases.cancel("fz-job-" + fuzz.random().nextInt(CASES / 2 + 1));
        acks.add(
            producer.send(
                new ProducerRecord<>(fleet.names.control(), c.getJobId(), hostile(fuzz, c))));
        WorkerHeartbeat beat = bases.heartbeat("fz-worker-" + i);
        acks.add(
            producer.send(
                new ProducerRecord<>(
                    fleet.names.workers(), beat.getWorkerId(), hostile(fuzz, beat))));
        GenerateRequest r =
            requests.get(fuzz.random().nextInt(requests.size())).toBuilder()
                .setJobId("fz-other-" + i)
                .build();
        JobState state = FuzzBases.state(r);
        acks.add(
            producer.send(
                new ProducerRecord<>(fleet.names.jobState(), r.getJobId(), hostile(fuzz, state))));
        for (JobEvent e : FuzzBases.events(r)) {
          acks.add(
              producer.send(
                  new ProducerRecord<>(fleet.names.jobEvents(), r.getJobId(), hostile(fuzz, e))));
        }
        WebhookDelivery delivery =
            WebhookDelivery.newBuilder()
                .setDeliveryId("fz-d-" + i)
                .setJobId(r.getJobId())
                .setTenant("a")
                .setUrl("https://example.com/hook")
                .setType("job.completed")
                .setBody("{}")
                .build();
        acks.add(
            producer.send(
                new ProducerRecord<>(
                    fleet.names.webhooks(), delivery.getDeliveryId(), hostile(fuzz, delivery))));
        sent += 9;
      }
      for (Message m : FuzzBases.checkpoints("fz-ckpt", fleet.onnx)) {
        for (int i = 0; i < Math.max(2, CASES / 200); i++) {
          String key = m instanceof CheckpointPart ? "fz-ckpt/3/part-" + i : "fz-ckpt-" + i;
          acks.add(
              producer.send(
                  new ProducerRecord<>(fleet.names.checkpoints(), key, hostile(fuzz, m))));
          sent++;
        }
      }
      for (Future<RecordMetadata> ack : acks) {
        ack.get();
      }
    }
    sent += postHostileBodies(fuzz, requests, CASES / 5);
    sent += sendHostileSocketMessages(fuzz, CASES / 10);
    for (int i = 0;
        i < CASES / 20;
        i++) { // the jobs whose states and events were hostile, as their owner sees them
      for (String route : List.of("/v1/jobs/fz-other-" + i, "/v1/jobs/fz-other-" + i + "/result")) {
        Http.Answer a = http.get(route, KEY);
        // a stored result that is no tensor is the server's fault, and said so; nothing else is a
        // 5xx
        assertTrue(
            a.status() < 500
                || a.status() == 500 && a.error().getString("code").equals("result_unreadable"),
            () -> route + ": " + a.status() + " " + a.body());
      }
    }
    Http.Answer listed = http.get("/v1/jobs?limit=500", KEY);
    assertEquals(200, listed.status(), () -> listed.body().toString());
    // a hostile job may ask for a billion steps: once the worker has taken in what it read, its
    // owner's cancel ends it, as any client's would (a cancel that comes first waits for its job)
    await().atMost(Duration.ofSeconds(120)).until(() -> fleet.worker.scheduler().backlog() == 0);
    cancelAll(cancels);
    try {
      await()
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(500))
          .until(this::everyJobAnswered);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("every job answered; still open: " + lag, e);
    }
    assertFalse(fleet.worker.stopped().isDone(), "the worker serves on");
    assertTrue(sent >= CASES, "cases: " + sent);
    assertServesOn();
  }

  /** A valid message with hostile fields, or its bytes damaged. */
  private static byte[] hostile(MessageFuzz fuzz, Message base) {
    return fuzz.random().nextInt(7) == 0
        ? fuzz.corrupt(base.toByteArray())
        : fuzz.mutate(base).toByteArray();
  }

  /**
   * Posts hostile JSON bodies; every answer is a decision (2xx or 4xx with an error naming the
   * problem).
   */
  private int postHostileBodies(MessageFuzz fuzz, List<GenerateRequest> requests, int count)
      throws Exception {
    for (int i = 0; i < count; i++) {
      GenerateRequest base =
          requests.get(fuzz.random().nextInt(requests.size())).toBuilder()
              .clearJobId()
              .clearTenant()
              .build();
      String body;
      try {
        body =
            fuzz.random().nextInt(4) == 0
                ? fuzz.corruptJson(JSON.print(base))
                : JSON.print(fuzz.mutate(base));
      } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
        body =
            fuzz.corruptJson(JSON.print(base)); // a value no JSON can carry: a damaged text instead
      }
      Http.Answer a = http.post("/v1/jobs", KEY, body, "Idempotency-Key", "fz-" + i);
      String shown = body.length() > 300 ? body.substring(0, 300) + "..." : body;
      assertTrue(
          a.status() == 202 || a.status() >= 400 && a.status() < 500,
          () -> a.status() + " for " + shown + ": " + a.body());
      if (a.status() >= 400) {
        assertFalse(
            a.error().getString("message", "").isEmpty(),
            () -> "a reason for " + shown + ": " + a.body());
      } else {
        String id = a.json().getString("jobId");
        String path = "/v1/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
        int cancelled = http.call(HttpMethod.DELETE, path, KEY, null).status();
        assertTrue(
            cancelled == 202 || cancelled == 404 || cancelled == 409,
            "a cancel is answered: " + cancelled);
      }
      String hostileId = URLEncoder.encode(fuzz.hostileString(), StandardCharsets.UTF_8);
      Http.Answer lookup = http.get("/v1/jobs/" + hostileId, KEY);
      assertTrue(
          lookup.status() == 200 || lookup.status() >= 400 && lookup.status() < 500,
          () ->
              "a lookup of "
                  + Texts.cut(hostileId, 200, "...")
                  + ": "
                  + lookup.status()
                  + " "
                  + lookup.body());
    }
    return count;
  }

  /**
   * Sends hostile messages on one WebSocket (ops, job ids and event ids of every kind, JSON of
   * other shapes, text that is no JSON); each is answered or ignored, and the same socket still
   * follows a job to its end.
   */
  private int sendHostileSocketMessages(MessageFuzz fuzz, int count) throws Exception {
    try (Socket socket = Socket.open(vertx, gateway.port(), KEY)) {
      for (int i = 0; i < count; i++) {
        JsonObject m = new JsonObject();
        List<Object> values =
            List.of(
                fuzz.hostileString(),
                fuzz.hostileLong(),
                fuzz.hostileDouble(),
                new JsonObject(),
                new io.vertx.core.json.JsonArray().add(1),
                true,
                "subscribe",
                "unsubscribe",
                "auth");
        for (String field : List.of("op", "jobId", "lastEventId", "apiKey")) {
          if (fuzz.random().nextInt(4) > 0) {
            Object v = values.get(fuzz.random().nextInt(values.size()));
            m.put(field, v instanceof Double d && !Double.isFinite(d) ? d.toString() : v);
          }
        }
        socket.sendText(fuzz.random().nextInt(5) == 0 ? fuzz.corruptJson(m.encode()) : m.encode());
      }
      Http.Answer submitted =
          http.post(
              "/v1/jobs",
              KEY,
              new JsonObject()
                  .put("modelName", Fleet.MODEL)
                  .put("numSamples", 2)
                  .put("sampler", new JsonObject().put("steps", 20))
                  .encode());
      String job = submitted.json().getString("jobId");
      socket.send(new JsonObject().put("op", "subscribe").put("jobId", job));
      // the answers to the hostile messages come first, then the job's events, to its final one
      Socket.Message next;
      do {
        next = socket.next(Duration.ofSeconds(90));
        assertTrue(next != null, "the socket followed the job to its end");
      } while (!(job.equals(next.jobId()) && next.json().getString("id", "").endsWith(".end")));
    }
    return count;
  }

  /**
   * The cancel the owner of a record's job would send: its id and tenant as the worker reads them
   * (the fuzzing may have changed both), or none for bytes that are no request.
   */
  private static Control ownersCancel(String key, byte[] value) {
    try {
      GenerateRequest r = GenerateRequest.parseFrom(value);
      String id = r.getJobId().isEmpty() && key != null ? key : r.getJobId();
      return Control.newBuilder()
          .setJobId(id)
          .setTenant(r.getTenant())
          .setCancel(io.scorestream.proto.v1.Cancel.newBuilder().setReason("fuzz: long enough"))
          .build();
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  private void cancelAll(List<Control> cancels) throws Exception {
    try (KafkaProducer<String, byte[]> producer =
        fleet.clients.producer(
            Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Topics.MAX_MESSAGE_BYTES))) { // ids and tenants of megabytes
      for (Control c : cancels) {
        if (c != null && RequestChecks.JOB_ID.matcher(c.getJobId()).matches()) {
          producer.send(new ProducerRecord<>(fleet.names.control(), c.getJobId(), c.toByteArray()));
        }
      }
    }
  }

  /** True once the workers' group has committed every jobs (and pool) partition to its end. */
  private boolean everyJobAnswered() throws Exception {
    try (Admin admin = fleet.clients.admin(Map.of())) {
      Set<String> topics = admin.listTopics().names().get();
      Map<TopicPartition, Long> ends = new HashMap<>();
      try (var consumer = fleet.clients.consumer(Map.of())) {
        for (String t : topics) {
          if (t.equals(fleet.names.jobs())) {
            consumer
                .partitionsFor(t)
                .forEach(p -> ends.put(new TopicPartition(t, p.partition()), 0L));
          }
        }
        ends.putAll(consumer.endOffsets(ends.keySet()));
      }
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(JobConsumer.group(fleet.names))
              .partitionsToOffsetAndMetadata()
              .get();
      lag.clear();
      ends.forEach(
          (p, end) -> {
            long at = committed.get(p) == null ? 0 : committed.get(p).offset();
            if (at < end) {
              lag.put(p.toString(), at + " of " + end);
            }
          });
      lag.put(
          "worker",
          fleet.worker.scheduler().activeJobs()
              + " running, "
              + fleet.worker.scheduler().queuedJobs()
              + " waiting");
      return lag.size() == 1;
    }
  }

  /** A new job through the gateway streams to its end, and the gateway answers its routes. */
  private void assertServesOn() throws Exception {
    Http.Answer submitted =
        http.post(
            "/v1/jobs",
            KEY,
            new JsonObject()
                .put("modelName", Fleet.MODEL)
                .put("numSamples", 4)
                .put("sampler", new JsonObject().put("steps", 30))
                .encode());
    assertEquals(202, submitted.status(), () -> submitted.body().toString());
    String job = submitted.json().getString("jobId");
    List<Http.Event> events =
        http.events("/v1/jobs/" + job + "/events", KEY, null, Duration.ofSeconds(90)).events();
    assertEquals(
        "completed",
        events.get(events.size() - 1).type(),
        "the gateway streams a new job to its end");
    for (String route : List.of("/readyz", "/v1/jobs", "/v1/workers", "/v1/models", "/metrics")) {
      Http.Answer a = http.get(route, KEY);
      assertEquals(200, a.status(), () -> route + ": " + a.body());
    }
  }
}
