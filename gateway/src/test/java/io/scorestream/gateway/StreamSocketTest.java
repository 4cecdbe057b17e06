package io.scorestream.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import io.scorestream.gateway.http.EventJson;
import io.scorestream.proto.v1.Accepted;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /v1/stream}: one WebSocket carries the events of many jobs of a tenant, as their event
 * streams do.
 */
@ExtendWith({VertxExtension.class, SharedFleet.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("integration")
class StreamSocketTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private Gateway gateway;
  private Http http;

  @BeforeAll
  void start(Vertx vertx, Fleet fleet) throws Exception {
    gateway = fleet.gateway();
    http = Fleet.ready(vertx, gateway);
  }

  @AfterAll
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private String submit(
      String key, String model, int samples, int steps, long seed, int previewEvery)
      throws Exception {
    Http.Answer a =
        http.post(
            "/v1/jobs",
            key,
            new JsonObject()
                .put("modelName", model)
                .put("numSamples", samples)
                .put("seed", seed)
                .put("sampler", new JsonObject().put("steps", steps))
                .put("preview", new JsonObject().put("everySteps", previewEvery))
                .encode());
    assertEquals(202, a.status(), () -> a.body().toString());
    return a.json().getString("jobId");
  }

  private static JsonObject subscribe(String jobId) {
    return new JsonObject().put("op", "subscribe").put("jobId", jobId);
  }

  /** Reads messages until each of the jobs had its final event. */
  private static Map<String, List<Socket.Message>> untilFinal(Socket socket, String... jobIds)
      throws Exception {
    Map<String, List<Socket.Message>> byJob = new HashMap<>();
    List<String> open = new ArrayList<>(List.of(jobIds));
    while (!open.isEmpty()) {
      Socket.Message m = socket.next(WAIT);
      assertNotNull(m, "a message within " + WAIT + "; still open: " + open);
      assertFalse(m.event().equals("error"), () -> m.json().encode());
      byJob.computeIfAbsent(m.jobId(), k -> new ArrayList<>()).add(m);
      if (m.json().getString("id", "").endsWith(".end")) {
        open.remove(m.jobId());
      }
    }
    return byJob;
  }

  @Test
  void
      oneSocketCarriesManyJobsWithTheIdsAndDataOfTheirEventStreamsAndImagePreviewsAsBinaryPngFrames(
          Vertx vertx) throws Exception {
    String points = submit(Fleet.KEY_A, Fleet.MODEL, 16, 100, 1, 10);
    String images = submit(Fleet.KEY_A, Fleet.IMAGES, 4, 60, 2, 10);
    Map<String, List<Socket.Message>> got;
    try (Socket socket = Socket.open(vertx, gateway.port(), Fleet.KEY_A)) {
      socket.send(subscribe(points));
      socket.send(subscribe(images));
      got = untilFinal(socket, points, images);
    }
    for (String job : List.of(points, images)) {
      List<Http.Event> sse =
          http.events("/v1/jobs/" + job + "/events", Fleet.KEY_A, null, WAIT).events();
      List<Socket.Message> ws = got.get(job);
      assertEquals(
          sse.stream().map(Http.Event::id).toList(),
          ws.stream().map(m -> m.json().getString("id")).toList(),
          "the socket carries every event of job " + job + " once, under its stream id");
      for (int i = 0; i < sse.size(); i++) {
        JsonObject data = sse.get(i).json();
        Socket.Message m = ws.get(i);
        assertEquals(sse.get(i).type(), m.event());
        if (m.png() != null) {
          String inline = data.getJsonObject("progress").getString("previewPng");
          assertArrayEquals(
              Base64.getDecoder().decode(inline.substring(inline.indexOf(',') + 1)),
              m.png(),
              "the binary frame's PNG is the stream's preview");
          data.getJsonObject("progress").remove("previewPng");
        }
        assertEquals(data, m.json().getJsonObject("data"), "event " + i + " of job " + job);
      }
    }
    assertTrue(
        got.get(points).stream().allMatch(m -> m.png() == null),
        "2-D previews stay float32 in JSON");
    List<Socket.Message> frames = got.get(images).stream().filter(m -> m.png() != null).toList();
    assertFalse(frames.isEmpty(), "image previews come as binary frames");
    for (Socket.Message frame : frames) {
      assertEquals(
          new JsonArray().add(4).add(1).add(8).add(8),
          frame
              .json()
              .getJsonObject("data")
              .getJsonObject("progress")
              .getJsonArray("previewShape"));
      BufferedImage png = ImageIO.read(new ByteArrayInputStream(frame.png()));
      assertNotNull(png, "an 8-bit PNG");
      assertTrue(png.getWidth() >= 2 * 8 && png.getHeight() >= 8, "a grid of the 4 samples");
    }
  }

  @Test
  void aSubscriptionResumesAfterALastEventIdAndAfterTheFinalEventIsToldTheJobEnded(Vertx vertx)
      throws Exception {
    String job = submit(Fleet.KEY_A, Fleet.MODEL, 8, 100, 3, 10);
    List<Http.Event> all =
        http.events("/v1/jobs/" + job + "/events", Fleet.KEY_A, null, WAIT).events();
    int k = all.size() / 2;
    try (Socket socket = Socket.open(vertx, gateway.port(), Fleet.KEY_A)) {
      socket.send(subscribe(job).put("lastEventId", all.get(k).id()));
      List<Socket.Message> rest = untilFinal(socket, job).get(job);
      assertEquals(
          all.subList(k + 1, all.size()).stream().map(Http.Event::id).toList(),
          rest.stream().map(m -> m.json().getString("id")).toList());
      socket.send(subscribe(job).put("lastEventId", all.get(all.size() - 1).id()));
      Socket.Message end = socket.next(WAIT);
      assertEquals("end", end.event(), "after the final event nothing follows");
      socket.send(subscribe(job).put("lastEventId", "yesterday"));
      Socket.Message bad = socket.next(WAIT);
      assertEquals("error", bad.event());
      assertEquals("lastEventId", bad.json().getJsonObject("error").getString("field"));
    }
  }

  @Test
  void aBrowserSocketAuthenticatesWithItsFirstMessageAndFollowsOnlyItsTenantsJobs(Vertx vertx)
      throws Exception {
    String ofA = submit(Fleet.KEY_A, Fleet.MODEL, 4, 50, 4, 0);
    try (Socket anonymous = Socket.open(vertx, gateway.port(), null)) {
      anonymous.send(subscribe(ofA));
      assertEquals((short) 1008, anonymous.closedWith(WAIT), "nothing before the key");
    }
    try (Socket wrongKey = Socket.open(vertx, gateway.port(), null)) {
      wrongKey.send(new JsonObject().put("op", "auth").put("apiKey", "ss_not-a-key"));
      assertEquals((short) 1008, wrongKey.closedWith(WAIT));
      assertTrue(wrongKey.closeReason().contains("not known"), wrongKey.closeReason());
    }
    assertThrows(
        Exception.class,
        () -> Socket.open(vertx, gateway.port(), "ss_not-a-key"),
        "a wrong key in the header is refused before the upgrade");

    String ofB = submit(Fleet.KEY_B, Fleet.MODEL, 4, 50, 5, 0);
    try (Socket b = Socket.open(vertx, gateway.port(), null)) {
      b.send(new JsonObject().put("op", "auth").put("apiKey", Fleet.KEY_B));
      b.send(subscribe(ofA));
      Socket.Message foreign = b.next(WAIT);
      assertEquals("error", foreign.event());
      assertEquals(
          "not_found",
          foreign.json().getJsonObject("error").getString("code"),
          "another tenant's job");
      b.send(new JsonObject().put("op", "dance"));
      assertEquals("bad_message", b.next(WAIT).json().getJsonObject("error").getString("code"));
      b.send(new JsonObject().put("op", "subscribe"));
      assertEquals("jobId", b.next(WAIT).json().getJsonObject("error").getString("field"));
      b.send(subscribe(ofB));
      List<Socket.Message> own = untilFinal(b, ofB).get(ofB);
      assertEquals(
          "completed", own.get(own.size() - 1).event(), "the socket stays usable after refusals");
      assertNull(b.closedWith(Duration.ofMillis(200)), "refused messages do not close the socket");
    }
    assertEquals(
        426, http.get("/v1/stream", Fleet.KEY_A).status(), "a plain GET is told to upgrade");
  }

  @Test
  void anEventNoJsonCanPrintStopsNoStream(Fleet fleet) throws Exception {
    // written straight to job-events, as a hostile producer (or a worker before the intake refused
    // such requests) would: printing its request's submission time threw on the gateway's event
    // thread, which died, and every tenant's Server-Sent Events and WebSocket streams stopped with
    // it
    Timestamp outOfRange = Timestamp.newBuilder().setSeconds(Long.MAX_VALUE / 2).build();
    JobEvent unprintable =
        JobEvent.newBuilder()
            .setJobId("unprintable")
            .setAttempt(1)
            .setSequence(0)
            .setTime(outOfRange)
            .setAccepted(
                Accepted.newBuilder()
                    .setRequest(
                        GenerateRequest.newBuilder()
                            .setJobId("unprintable")
                            .setModelName(Fleet.MODEL)
                            .setSubmittedAt(outOfRange)))
            .build();
    try (KafkaProducer<String, byte[]> producer = fleet.clients.producer(Map.of())) {
      producer
          .send(
              new ProducerRecord<>(
                  fleet.names.jobEvents(), "unprintable", unprintable.toByteArray()))
          .get();
    }
    String job = submit(Fleet.KEY_A, Fleet.MODEL, 4, 50, 5, 0);
    List<Http.Event> events =
        http.events("/v1/jobs/" + job + "/events", Fleet.KEY_A, null, WAIT).events();
    assertEquals("completed", events.get(events.size() - 1).type(), "the stream ran to its end");
    assertEquals(
        "unprintable",
        new JsonObject(new EventJson().encode(unprintable).data()).getString("jobId"),
        "the unprintable event itself streams bare");
  }

  @Test
  void theEventsOfAJobSentToKafkaWithoutASubmissionTimeStreamFromThePartitionsStart(Fleet fleet)
      throws Exception {
    // its replay started 5 s before the epoch, a negative time Kafka refuses: the stream answered
    // with an error
    GenerateRequest untimed =
        GenerateRequest.newBuilder()
            .setJobId("untimed")
            .setTenant("a")
            .setModelName(Fleet.MODEL)
            .setNumSamples(2)
            .setSampler(io.scorestream.proto.v1.SamplerSettings.newBuilder().setSteps(20))
            .build();
    try (KafkaProducer<String, byte[]> producer = fleet.clients.producer(Map.of())) {
      producer
          .send(new ProducerRecord<>(fleet.names.jobs(), "untimed", untimed.toByteArray()))
          .get();
    }
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .until(
            () -> {
              Http.Answer job = http.get("/v1/jobs/untimed", Fleet.KEY_A);
              return job.status() == 200 && job.json().getString("status").equals("SUCCEEDED");
            });
    List<Http.Event> events =
        http.events("/v1/jobs/untimed/events", Fleet.KEY_A, null, WAIT).events();
    assertEquals(
        List.of("accepted", "started", "completed"),
        events.stream().map(Http.Event::type).filter(t -> !t.equals("progress")).toList());
  }
}
