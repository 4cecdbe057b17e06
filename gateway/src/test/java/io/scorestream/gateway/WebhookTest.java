package io.scorestream.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.gateway.webhooks.WebhookPolicy;
import io.scorestream.gateway.webhooks.WebhookSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhooks against a receiver on loopback: signed as Standard Webhooks say, retried after failures,
 * delivered from a durable outbox by whichever gateway runs, and refused up front when they would
 * go where they may not.
 */
@ExtendWith({VertxExtension.class, SharedFleet.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("integration")
class WebhookTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private Fleet fleet;
  private Receiver receiver;

  @BeforeAll
  void start(Vertx vertx, Fleet shared) throws Exception {
    fleet = shared;
    receiver = new Receiver(vertx);
  }

  @AfterAll
  void stop() throws Exception {
    receiver.close();
  }

  private static String job(JsonObject webhook) {
    return new JsonObject()
        .put("modelName", Fleet.MODEL)
        .put("numSamples", 8)
        .put("seed", 1)
        .put("sampler", new JsonObject().put("steps", 50))
        .put("webhook", webhook)
        .encode();
  }

  private List<Receiver.Attempt> awaitAttempts(Predicate<List<Receiver.Attempt>> until) {
    return await("the deliveries asked for")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(receiver::attempts, until);
  }

  private static List<Receiver.Attempt> of(List<Receiver.Attempt> all, String jobId, String type) {
    return all.stream()
        .filter(
            a ->
                a.json().getString("type").equals(type)
                    && a.json().getJsonObject("data").getString("jobId").equals(jobId))
        .toList();
  }

  /**
   * The signature a receiver computes itself: base64 HMAC-SHA256 of id.timestamp.body under the
   * secret's bytes.
   */
  private static String expectedSignature(Receiver.Attempt a) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(
            Base64.getDecoder().decode(Fleet.WEBHOOK_SECRET_A.substring("whsec_".length())),
            "HmacSHA256"));
    String signed = a.id() + "." + a.headers().get("webhook-timestamp") + "." + a.body();
    return "v1,"
        + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aFinalEventIsDeliveredSignedAndRetriedAfterA500AndNewsIsSentOnce(Vertx vertx)
      throws Exception {
    receiver.answer(earlier -> earlier.isEmpty() ? 500 : 200); // every delivery fails once
    try (Gateway gateway = fleet.gateway()) {
      Http http = Fleet.ready(vertx, gateway);
      Http.Answer posted =
          http.post(
              "/v1/jobs",
              Fleet.KEY_A,
              job(
                  new JsonObject()
                      .put("url", receiver.url("/hooks/scorestream"))
                      .put("events", new JsonArray().add("started").add("completed"))));
      assertEquals(202, posted.status(), posted.body().toString());
      String id = posted.json().getString("jobId");
      assertEquals(
          receiver.url("/hooks/scorestream"),
          posted.json().getJsonObject("summary").getJsonObject("webhook").getString("url"),
          "the job shows its webhook");

      List<Receiver.Attempt> completed =
          of(
              awaitAttempts(
                  all -> of(all, id, "job.completed").stream().anyMatch(a -> a.answered() == 200)),
              id,
              "job.completed");
      assertEquals(
          List.of(500, 200),
          completed.stream().map(Receiver.Attempt::answered).toList(),
          "retried after the 500, and not after the 200");
      assertEquals(completed.get(0).id(), completed.get(1).id(), "a retry keeps its webhook-id");
      for (Receiver.Attempt a : completed) {
        assertEquals(expectedSignature(a), a.headers().get("webhook-signature"));
        long sent = Long.parseLong(a.headers().get("webhook-timestamp"));
        assertTrue(Math.abs(Instant.now().getEpochSecond() - sent) < 300, "a fresh timestamp");
        assertEquals("application/json", a.headers().get("Content-Type"));
      }
      JsonObject body = completed.get(1).json();
      assertEquals("job.completed", body.getString("type"));
      assertEquals(
          "/v1/jobs/" + id + "/result",
          body.getJsonObject("data")
              .getJsonObject("event")
              .getJsonObject("completed")
              .getString("result"));
      assertTrue(body.getJsonObject("data").getString("eventId").endsWith(".end"));
      await(
              "news (not a final event) is posted once, best effort, even when it failed;"
                  + " and only the events asked for")
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(2))
          .until(
              receiver::attempts,
              all ->
                  of(all, id, "job.started").size() == 1 && of(all, id, "job.progress").isEmpty());
    }
  }

  @Test
  void aDeliveryOwedWhenTheGatewayStopsIsMadeByTheNextGateway(Vertx vertx) throws Exception {
    WebhookSettings patient =
        new WebhookSettings(
            WebhookPolicy.anywhere(),
            Duration.ofMillis(200),
            Duration.ofMillis(500),
            1000,
            Duration.ofSeconds(3));
    receiver.answer(earlier -> 503); // the receiver is down
    String id;
    try (Gateway first = fleet.gateway(patient)) {
      Http http = Fleet.ready(vertx, first);
      Http.Answer posted =
          http.post(
              "/v1/jobs",
              Fleet.KEY_A,
              job(new JsonObject().put("url", receiver.url("/hooks/down-for-a-while"))));
      assertEquals(202, posted.status(), posted.body().toString());
      id = posted.json().getString("jobId");
      awaitAttempts(all -> of(all, id, "job.completed").size() >= 2);
    }
    int before = of(receiver.attempts(), id, "job.completed").size();
    receiver.answer(earlier -> 200); // back up, while no gateway runs
    await("no gateway, no delivery")
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> of(receiver.attempts(), id, "job.completed").size() == before);
    try (Gateway second = fleet.gateway(patient)) {
      List<Receiver.Attempt> all =
          of(
              awaitAttempts(
                  a -> of(a, id, "job.completed").stream().anyMatch(x -> x.answered() == 200)),
              id,
              "job.completed");
      assertEquals(
          1,
          all.stream().map(Receiver.Attempt::id).distinct().count(),
          "the same delivery, resumed");
      assertEquals(200, all.get(all.size() - 1).answered());
    }
  }

  @Test
  void destinationsOutsideThePolicyAndWebhooksWithoutASecretAreRefusedNamingTheField(Vertx vertx)
      throws Exception {
    WebhookSettings strict = WebhookSettings.defaults(new WebhookPolicy(List.of(), false, false));
    try (Gateway gateway = fleet.gateway(strict)) {
      Http http = Fleet.ready(vertx, gateway);
      for (String url :
          List.of(
              "http://hooks.example.com/x",
              "https://127.0.0.1/x",
              "https://10.1.2.3/x",
              "https://[::1]/x",
              "https://localhost:8443/x",
              "https://169.254.169.254/latest/meta-data",
              "https://metadata.google.internal/",
              "ftp://example.com/x",
              "not a url",
              "https://user:pw@example.com/")) {
        Http.Answer refused =
            http.post("/v1/jobs", Fleet.KEY_A, job(new JsonObject().put("url", url)));
        assertEquals(422, refused.status(), url + " -> " + refused.body());
        assertEquals("webhook.url", refused.error().getString("field"), url);
      }
      Http.Answer events =
          http.post(
              "/v1/jobs",
              Fleet.KEY_A,
              job(
                  new JsonObject()
                      .put("url", "https://hooks.example.com/x")
                      .put("events", new JsonArray().add("everything"))));
      assertEquals(422, events.status());
      assertEquals("webhook.events[0]", events.error().getString("field"));
      Http.Answer noSecret =
          http.post(
              "/v1/jobs",
              Fleet.KEY_B,
              job(new JsonObject().put("url", "https://hooks.example.com/x")));
      assertEquals(422, noSecret.status());
      assertEquals("webhook", noSecret.error().getString("field"));
      assertTrue(
          noSecret.error().getString("message").contains("webhookSecret"),
          noSecret.body().toString());
    }
    WebhookSettings listed =
        WebhookSettings.defaults(new WebhookPolicy(List.of("*.example.com"), false, false));
    try (Gateway gateway = fleet.gateway(listed)) {
      Http http = Fleet.ready(vertx, gateway);
      Http.Answer elsewhere =
          http.post(
              "/v1/jobs",
              Fleet.KEY_A,
              job(new JsonObject().put("url", "https://hooks.example.org/x")));
      assertEquals(422, elsewhere.status());
      assertTrue(
          elsewhere.error().getString("message").contains("*.example.com"),
          elsewhere.body().toString());
    }
  }
}
