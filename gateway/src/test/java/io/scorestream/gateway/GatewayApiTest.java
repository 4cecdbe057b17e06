package io.scorestream.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.jobs.JobCodec;
import io.scorestream.proto.v1.SamplerSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP API against a real broker, a real worker and a real model: what a user submits, streams
 * and downloads, and every refusal with its status and a body that names what is wrong.
 */
@ExtendWith({VertxExtension.class, SharedFleet.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("integration")
class GatewayApiTest {
  private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(90);
  private Fleet fleet;
  private Gateway gateway;
  private Http http;

  @BeforeAll
  void start(Vertx vertx, Fleet shared) throws Exception {
    fleet = shared;
    gateway = fleet.gateway();
    http = Fleet.ready(vertx, gateway);
  }

  @AfterAll
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  private static String job(int samples, int steps, long seed, int previewEvery) {
    return new JsonObject()
        .put("modelName", Fleet.MODEL)
        .put("numSamples", samples)
        .put("seed", seed)
        .put("sampler", new JsonObject().put("steps", steps))
        .put("preview", new JsonObject().put("everySteps", previewEvery))
        .encode();
  }

  private static String status(Http http, String jobId) throws Exception {
    return http.get("/v1/jobs/" + jobId, Fleet.KEY_A).json().getString("status");
  }

  private String submit(String key, String body, String... headers) throws Exception {
    Http.Answer a = http.post("/v1/jobs", key, body, headers);
    assertEquals(202, a.status(), () -> a.body().toString());
    return a.json().getString("jobId");
  }

  private static float[] floats(byte[] littleEndian) {
    float[] out = new float[littleEndian.length / 4];
    ByteBuffer.wrap(littleEndian).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  @Test
  void aSubmittedJobStreamsItsProgressThenOneFinalEventAndItsResultEqualsCoreRunningTheSameRequest()
      throws Exception {
    Http.Answer posted = http.post("/v1/jobs", Fleet.KEY_A, job(64, 200, 7, 20));
    assertEquals(202, posted.status(), posted.body().toString());
    String id = posted.json().getString("jobId");
    assertEquals("/v1/jobs/" + id, posted.headers().get("Location"));
    assertEquals("a", posted.json().getString("tenant"), "the gateway stamps the key's tenant");
    assertTrue(
        List.of("QUEUED", "RUNNING", "SUCCEEDED").contains(posted.json().getString("status")),
        "the job as the index knows it when the answer is made (an idle worker may have started it already)");

    Http.Stream stream =
        http.events("/v1/jobs/" + id + "/events", Fleet.KEY_A, null, STREAM_TIMEOUT);
    assertEquals(200, stream.status());
    List<Http.Event> events = stream.events();
    List<String> finals =
        events.stream()
            .map(Http.Event::type)
            .filter(t -> t.equals("completed") || t.equals("failed") || t.equals("cancelled"))
            .toList();
    assertEquals(List.of("completed"), finals, "exactly one final event");
    assertEquals(
        "completed", events.get(events.size() - 1).type(), "the final event ends the stream");
    assertTrue(events.stream().anyMatch(e -> e.type().equals("accepted")));
    List<Http.Event> previews =
        events.stream()
            .filter(
                e ->
                    e.type().equals("progress")
                        && e.json().getJsonObject("progress").containsKey("preview"))
            .toList();
    assertFalse(previews.isEmpty(), "progress events carry previews");
    JsonObject preview = previews.get(0).json().getJsonObject("progress").getJsonObject("preview");
    assertEquals("FLOAT32", preview.getString("dtype"), "2-D previews travel as float32 arrays");
    assertEquals(64 * 2 * 4, Base64.getDecoder().decode(preview.getString("data")).length);
    long previous = -1;
    for (Http.Event e : events) {
      long offset = Long.parseLong(e.id().replace(".end", ""));
      assertTrue(offset > previous, "event ids rise");
      previous = offset;
    }

    Http.Answer result = http.get("/v1/jobs/" + id + "/result?format=npy", Fleet.KEY_A);
    assertEquals(200, result.status(), result.body().toString());
    byte[] npy = result.body().getBytes();
    int header = 10 + (npy[8] & 0xff) + ((npy[9] & 0xff) << 8);
    float[] viaGateway = floats(Arrays.copyOfRange(npy, header, npy.length));
    float[] direct;
    try (ScoreModel model = new OrtRuntime(1).load(fleet.onnx, Fleet.MODEL)) {
      SamplingProcess p =
          Samplers.start(
              JobCodec.samplerSpec(SamplerSettings.newBuilder().setSteps(200).build()),
              model.info(),
              64,
              7,
              null);
      new BatchEvaluator(model, 1024).runToCompletion(List.of(p), () -> {});
      direct = p.result();
    }
    assertEquals(direct.length, viaGateway.length);
    for (int i = 0; i < direct.length; i++) {
      // the same seed gives the same noise; only float32 rounding by batch position may differ
      // (worker tests)
      assertEquals(direct[i], viaGateway[i], 1e-3, "sample value " + i);
    }
    JsonObject json = http.get("/v1/jobs/" + id + "/result", Fleet.KEY_A).json();
    assertEquals(new JsonArray().add(64).add(2), json.getJsonArray("shape"));
    assertEquals(direct[3], json.getJsonArray("samples").getJsonArray(1).getFloat(1), 1e-3);
    assertEquals("SUCCEEDED", http.get("/v1/jobs/" + id, Fleet.KEY_A).json().getString("status"));
  }

  /**
   * The completed event and the job's final state travel on two topics, and a client may ask for
   * the result the moment it reads the event, before the gateway's index has the state: it gets the
   * result, not a 409 (CI once saw the result route answer before the state arrived). Twenty quick
   * jobs, each asked at once.
   */
  @Test
  void aResultAskedForTheMomentTheCompletedEventArrivesIsServed() throws Exception {
    for (int i = 0; i < 20; i++) {
      String id = submit(Fleet.KEY_A, job(1, 100, 100 + i, 0));
      finished(id);
      Http.Answer result = http.get("/v1/jobs/" + id + "/result", Fleet.KEY_A);
      assertEquals(200, result.status(), "job " + i + ": " + result.body());
    }
  }

  @Test
  void aStreamResumedFromAnyEventIdGetsEveryLaterEventOnceAndAfterTheFinalOneNothing()
      throws Exception {
    String id = submit(Fleet.KEY_A, job(8, 100, 11, 10));
    List<Http.Event> all =
        http.events("/v1/jobs/" + id + "/events", Fleet.KEY_A, null, STREAM_TIMEOUT).events();
    assertTrue(all.size() > 5, "enough events to resume in the middle: " + all.size());
    for (int k : new int[] {0, all.size() / 2, all.size() - 2}) {
      List<Http.Event> rest =
          http.events("/v1/jobs/" + id + "/events", Fleet.KEY_A, all.get(k).id(), STREAM_TIMEOUT)
              .events();
      assertEquals(
          all.subList(k + 1, all.size()).stream().map(Http.Event::id).toList(),
          rest.stream().map(Http.Event::id).toList(),
          "resumed after event " + k);
    }
    Http.Stream after =
        http.events(
            "/v1/jobs/" + id + "/events",
            Fleet.KEY_A,
            all.get(all.size() - 1).id(),
            STREAM_TIMEOUT);
    assertEquals(
        204, after.status(), "after the final event nothing follows: EventSource stops on 204");
  }

  @Test
  void aGatewayStoppedMidJobLosesNoJobAndNoEventAndAnotherGatewayServesTheSameStream(Vertx vertx)
      throws Exception {
    Gateway first = fleet.gateway();
    Http one = new Http(vertx, first.port());
    Http.Answer posted = one.post("/v1/jobs", Fleet.KEY_A, job(64, 4000, 5, 200));
    assertEquals(202, posted.status(), posted.body().toString());
    String id = posted.json().getString("jobId");
    await("the job started")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> status(one, id), "RUNNING"::equals);
    first.close(); // mid-job
    try (Gateway second = fleet.gateway()) {
      Http two = new Http(vertx, second.port());
      List<Http.Event> all =
          two.events("/v1/jobs/" + id + "/events", Fleet.KEY_A, null, STREAM_TIMEOUT).events();
      assertEquals(
          "accepted", all.get(0).type(), "the restarted gateway streams the job from its start");
      assertEquals("completed", all.get(all.size() - 1).type());
      assertEquals(
          all.size(), all.stream().map(Http.Event::id).distinct().count(), "no event twice");
      List<Http.Event> viaShared =
          http.events("/v1/jobs/" + id + "/events", Fleet.KEY_A, null, STREAM_TIMEOUT).events();
      assertEquals(
          all.stream().map(Http.Event::id).toList(),
          viaShared.stream().map(Http.Event::id).toList(),
          "every gateway gives the same events under the same ids");
      assertEquals("SUCCEEDED", two.get("/v1/jobs/" + id, Fleet.KEY_A).json().getString("status"));
      assertEquals(200, two.get("/v1/jobs/" + id + "/result", Fleet.KEY_A).status());
    }
  }

  @Test
  void aRetriedPostWithTheSameIdempotencyKeyIsTheSameJobAndAnotherBodyUnderItIsRefused()
      throws Exception {
    String first = submit(Fleet.KEY_A, job(4, 50, 1, 0), "Idempotency-Key", "order-42");
    Http.Answer again =
        http.post("/v1/jobs", Fleet.KEY_A, job(4, 50, 1, 0), "Idempotency-Key", "order-42");
    assertEquals(200, again.status(), again.body().toString());
    assertEquals(first, again.json().getString("jobId"));
    Http.Answer other =
        http.post("/v1/jobs", Fleet.KEY_A, job(5, 50, 1, 0), "Idempotency-Key", "order-42");
    assertEquals(409, other.status());
    assertEquals("idempotency_key_reused", other.error().getString("code"));
    String ofB = submit(Fleet.KEY_B, job(4, 50, 1, 0), "Idempotency-Key", "order-42");
    assertNotEquals(first, ofB, "keys are per tenant");
    String unseeded = "{\"modelName\": \"" + Fleet.MODEL + "\", \"numSamples\": 1}";
    String seeded = submit(Fleet.KEY_A, unseeded, "Idempotency-Key", "no-seed");
    assertEquals(
        200,
        http.post("/v1/jobs", Fleet.KEY_A, unseeded, "Idempotency-Key", "no-seed").status(),
        "a retry without a seed is the same request: the seed drawn for the key is the same");
    assertNotEquals(
        http.get("/v1/jobs/" + seeded, Fleet.KEY_A)
            .json()
            .getJsonObject("summary")
            .getString("seed"),
        http.get("/v1/jobs/" + submit(Fleet.KEY_A, unseeded), Fleet.KEY_A)
            .json()
            .getJsonObject("summary")
            .getString("seed"),
        "jobs without a seed get different ones");
  }

  @Test
  void aTenantSeesStreamsAndCancelsOnlyItsOwnJobs() throws Exception {
    String id = submit(Fleet.KEY_A, job(4, 100_000, 3, 0));
    assertEquals(404, http.get("/v1/jobs/" + id, Fleet.KEY_B).status());
    assertEquals(404, http.get("/v1/jobs/" + id + "/events", Fleet.KEY_B).status());
    assertEquals(404, http.call(HttpMethod.DELETE, "/v1/jobs/" + id, Fleet.KEY_B, null).status());
    assertTrue(
        http.get("/v1/jobs", Fleet.KEY_B).json().getJsonArray("jobs").stream()
            .noneMatch(j -> ((JsonObject) j).getString("jobId").equals(id)));
    Http.Answer cancel = http.call(HttpMethod.DELETE, "/v1/jobs/" + id, Fleet.KEY_A, null);
    assertEquals(202, cancel.status(), cancel.body().toString());
    List<Http.Event> events =
        http.events("/v1/jobs/" + id + "/events", Fleet.KEY_A, null, STREAM_TIMEOUT).events();
    assertEquals("cancelled", events.get(events.size() - 1).type());
    Http.Answer again = http.call(HttpMethod.DELETE, "/v1/jobs/" + id, Fleet.KEY_A, null);
    assertEquals(
        409,
        again.status(),
        "a job whose final event was streamed cannot be cancelled, even before its"
            + " state reaches the index: "
            + again.body());
    assertTrue(again.error().getString("message").contains("cancelled"), again.body().toString());
    // the state is written just after the event, and read by the gateway's index a moment later
    await("the job's state says cancelled")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> status(http, id), "CANCELLED"::equals);
    JsonArray cancelled =
        http.get("/v1/jobs?status=cancelled", Fleet.KEY_A).json().getJsonArray("jobs");
    assertTrue(cancelled.stream().anyMatch(j -> ((JsonObject) j).getString("jobId").equals(id)));
    assertTrue(
        cancelled.stream().allMatch(j -> ((JsonObject) j).getString("status").equals("CANCELLED")));
  }

  private static JsonObject tensor(float... values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return new JsonObject()
        .put("shape", new JsonArray().add(1).add(values.length))
        .put("dtype", "FLOAT32")
        .put("data", Base64.getEncoder().encodeToString(bytes.array()));
  }

  private static String inpainting(JsonObject known, JsonObject mask) {
    return new JsonObject()
        .put("modelName", Fleet.MODEL)
        .put("numSamples", 5)
        .put("seed", 3)
        .put("sampler", new JsonObject().put("steps", 100))
        .put(
            "conditioning",
            new JsonObject()
                .put(
                    "inpainting",
                    new JsonObject().put("known", known).put("mask", mask).put("particles", 4)))
        .encode();
  }

  @Test
  void anInpaintingJobKeepsItsKnownValuesAndBadMasksAreRefusedNamingTheField() throws Exception {
    String id = submit(Fleet.KEY_A, inpainting(tensor(0, -0.5f), tensor(0, 1)));
    List<Http.Event> events =
        http.events("/v1/jobs/" + id + "/events", Fleet.KEY_A, null, STREAM_TIMEOUT).events();
    assertEquals("completed", events.get(events.size() - 1).type(), events.toString());
    JsonObject result = http.get("/v1/jobs/" + id + "/result", Fleet.KEY_A).json();
    assertEquals(new JsonArray().add(5).add(2), result.getJsonArray("shape"));
    for (int i = 0; i < 5; i++) {
      assertEquals(
          -0.5f,
          result.getJsonArray("samples").getJsonArray(i).getFloat(1),
          "sample " + i + " keeps the known value");
    }
    Http.Answer fuzzy =
        http.post("/v1/jobs", Fleet.KEY_A, inpainting(tensor(0, -0.5f), tensor(0, 0.5f)));
    assertEquals(422, fuzzy.status(), fuzzy.body().toString());
    assertEquals("conditioning.inpainting.mask", fuzzy.error().getString("field"));
    Http.Answer wide =
        http.post("/v1/jobs", Fleet.KEY_A, inpainting(tensor(0, -0.5f, 1), tensor(0, 1)));
    assertEquals(422, wide.status(), wide.body().toString());
    assertEquals("conditioning.inpainting.known", wide.error().getString("field"));
    assertTrue(wide.error().getString("message").contains("[1, 2]"), wide.body().toString());
    Http.Answer grey =
        http.post(
            "/v1/jobs",
            Fleet.KEY_A,
            new JsonObject()
                .put("modelName", Fleet.MODEL)
                .put("numSamples", 1)
                .put(
                    "conditioning",
                    new JsonObject()
                        .put("colorization", new JsonObject().put("gray", tensor(0.5f, 0.5f))))
                .encode());
    assertEquals(422, grey.status(), grey.body().toString());
    assertEquals("conditioning.colorization", grey.error().getString("field"));
  }

  private static JsonObject image(int[] shape, float value) {
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    float[] values = new float[size];
    Arrays.fill(values, value);
    ByteBuffer bytes = ByteBuffer.allocate(size * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    JsonArray dims = new JsonArray();
    for (int d : shape) {
      dims.add(d);
    }
    return new JsonObject()
        .put("shape", dims)
        .put("dtype", "FLOAT32")
        .put("data", Base64.getEncoder().encodeToString(bytes.array()));
  }

  private static String colorization(JsonObject gray, int particles) {
    return new JsonObject()
        .put("modelName", Fleet.COLOURS)
        .put("numSamples", 6)
        .put("seed", 5)
        .put("sampler", new JsonObject().put("steps", 200))
        .put(
            "conditioning",
            new JsonObject()
                .put(
                    "colorization", new JsonObject().put("gray", gray).put("particles", particles)))
        .encode();
  }

  /**
   * Both of the colour model's swatches (red-orange and blue) have grey level 0.4, so colouring a
   * uniform grey 0.4 keeps that level in every pixel (the imputed part is exact) and gives one
   * swatch or the other, never a blend of the two (which would be grey, red minus blue near 0; the
   * swatches have red minus blue of +-0.7, std 0.1 per pixel).
   */
  @Test
  void aColorizationJobKeepsEachPixelsGreyLevelAndBadGreyPicturesAreRefusedNamingTheField()
      throws Exception {
    String id = submit(Fleet.KEY_A, colorization(image(new int[] {1, 1, 4, 4}, 0.4f), 4));
    finished(id);
    JsonArray samples =
        http.get("/v1/jobs/" + id + "/result", Fleet.KEY_A).json().getJsonArray("samples");
    assertEquals(6, samples.size());
    for (int s = 0; s < 6; s++) {
      JsonArray picture = samples.getJsonArray(s);
      double redLessBlue = 0;
      for (int p = 0; p < 16; p++) {
        double[] rgb = new double[3];
        for (int c = 0; c < 3; c++) {
          rgb[c] = picture.getJsonArray(c).getJsonArray(p / 4).getDouble(p % 4);
        }
        assertEquals(
            0.4,
            (rgb[0] + rgb[1] + rgb[2]) / 3,
            1e-5,
            "sample " + s + " pixel " + p + " keeps its grey");
        redLessBlue += (rgb[0] - rgb[2]) / 16;
      }
      // a swatch's mean over 16 pixels: +-0.7 with a std of about 0.1 * sqrt(2) / 4 = 0.035
      assertEquals(
          0.7,
          Math.abs(redLessBlue),
          5 * 0.035 + 0.05,
          "sample " + s + " is one swatch: " + redLessBlue);
    }
    Http.Answer small =
        http.post("/v1/jobs", Fleet.KEY_A, colorization(image(new int[] {1, 1, 3, 3}, 0.4f), 1));
    assertEquals(422, small.status(), small.body().toString());
    assertEquals(
        "conditioning.colorization.gray",
        small.error().getString("field"),
        small.body().toString());
    assertTrue(
        small.error().getString("message").contains("[1, 1, 4, 4]"), small.body().toString());
    Http.Answer colour =
        http.post("/v1/jobs", Fleet.KEY_A, colorization(image(new int[] {1, 3, 4, 4}, 0.4f), 1));
    assertEquals(
        "conditioning.colorization.gray",
        colour.error().getString("field"),
        colour.body().toString());
    Http.Answer crowd =
        http.post("/v1/jobs", Fleet.KEY_A, colorization(image(new int[] {1, 1, 4, 4}, 0.4f), 257));
    assertEquals(422, crowd.status(), crowd.body().toString());
    assertEquals(
        "conditioning.colorization.particles",
        crowd.error().getString("field"),
        crowd.body().toString());
  }

  private static JsonObject rows(float[] values, int rows) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return new JsonObject()
        .put("shape", new JsonArray().add(rows).add(values.length / rows))
        .put("dtype", "FLOAT32")
        .put("data", Base64.getEncoder().encodeToString(bytes.array()));
  }

  private JsonObject finished(String id) throws Exception {
    List<Http.Event> events =
        http.events("/v1/jobs/" + id + "/events", Fleet.KEY_A, null, STREAM_TIMEOUT).events();
    Http.Event last = events.get(events.size() - 1);
    assertEquals("completed", last.type(), events.toString());
    return last.json();
  }

  private static String guided(JsonArray labels, JsonObject guidance) {
    return new JsonObject()
        .put("modelName", Fleet.MODEL)
        .put("numSamples", labels.size())
        .put("seed", 7)
        .put("sampler", new JsonObject().put("steps", 500))
        .put(
            "conditioning",
            new JsonObject().put("classLabels", new JsonObject().put("labels", labels)))
        .put("guidance", guidance)
        .encode();
  }

  /**
   * The fleet's classifier is the exact classifier of the model's two modes, so guidance at scale 1
   * draws each sample from the mode it names (Bayes' rule), not from the 30:70 mixture: every
   * sample lies on its mode's side and each half's mean is the mode's mean within five standard
   * errors (std / sqrt(n)) and the sampler's 0.02.
   */
  @Test
  void aGuidedJobDrawsEachSampleFromTheClassItNamesAndBadGuidanceIsRefusedNamingTheField()
      throws Exception {
    int half = 200;
    JsonArray labels = new JsonArray();
    for (int i = 0; i < 2 * half; i++) {
      labels.add(i < half ? 0 : 1);
    }
    JsonObject guidance = new JsonObject().put("classifier", Fleet.MODES).put("scale", 1.0);
    String id = submit(Fleet.KEY_A, guided(labels, guidance));
    finished(id);
    JsonArray samples =
        http.get("/v1/jobs/" + id + "/result", Fleet.KEY_A).json().getJsonArray("samples");
    var mixture = Fleet.mixture();
    for (int k = 0; k < 2; k++) {
      double[] mean = new double[2];
      for (int i = k * half; i < (k + 1) * half; i++) {
        float x = samples.getJsonArray(i).getFloat(0);
        assertTrue(
            k == 0 ? x < 0 : x > 0, "sample " + i + " guided to mode " + k + " lies at x = " + x);
        mean[0] += x / half;
        mean[1] += samples.getJsonArray(i).getFloat(1) / half;
      }
      double tolerance = 5 * mixture.stds()[k] / Math.sqrt(half) + 0.02;
      for (int j = 0; j < 2; j++) {
        assertEquals(
            mixture.means()[k][j], mean[j], tolerance, "mode " + k + " mean, coordinate " + j);
      }
    }
    JsonArray one = new JsonArray().add(0);
    record Bad(String body, String field, String says) {}
    for (Bad bad :
        List.of(
            new Bad(
                new JsonObject()
                    .put("modelName", Fleet.MODEL)
                    .put("numSamples", 1)
                    .put("guidance", guidance)
                    .encode(),
                "conditioning.classLabels.labels",
                "guide each sample to"),
            new Bad(guided(one, guidance.copy().put("scale", 1000.0)), "guidance.scale", "100"),
            new Bad(
                guided(one, guidance.copy().put("classifier", "no-such")),
                "guidance.classifier",
                Fleet.MODES),
            new Bad(
                guided(one, guidance.copy().put("classifierVersion", "9")),
                "guidance.classifierVersion",
                "not served"),
            new Bad(
                guided(new JsonArray().add(2), guidance), "conditioning.classLabels.labels", "2"),
            new Bad(
                new JsonObject().put("modelName", Fleet.MODES).put("numSamples", 1).encode(),
                "modelName",
                "is a classifier"),
            new Bad(
                new JsonObject()
                    .put("modelName", Fleet.IMAGES)
                    .put("numSamples", 1)
                    .put(
                        "conditioning",
                        new JsonObject().put("classLabels", new JsonObject().put("labels", one)))
                    .put("guidance", guidance)
                    .encode(),
                "guidance.classifier",
                "takes [2]"))) {
      Http.Answer a = http.post("/v1/jobs", Fleet.KEY_A, bad.body());
      assertEquals(422, a.status(), a.body().toString());
      assertEquals(bad.field(), a.error().getString("field"), a.body().toString());
      assertTrue(a.error().getString("message").contains(bad.says()), a.body().toString());
    }
    JsonObject modes =
        http.get("/v1/models", Fleet.KEY_A).json().getJsonArray("models").stream()
            .map(JsonObject.class::cast)
            .filter(m -> m.getString("name").equals(Fleet.MODES))
            .findFirst()
            .orElseThrow();
    assertEquals("classifier", modes.getString("kind"), modes.encode());
  }

  /**
   * The samples of an ODE job that decodes these codes ({@code rows} of them), without the final
   * denoising step.
   */
  private JsonArray decoded(float[] codes, int rows) throws Exception {
    String id =
        submit(
            Fleet.KEY_A,
            new JsonObject()
                .put("modelName", Fleet.MODEL)
                .put("numSamples", rows)
                .put(
                    "sampler",
                    new JsonObject()
                        .put("kind", "ODE")
                        .put("denoise", false)
                        .put("latent", rows(codes, rows)))
                .encode());
    finished(id);
    return http.get("/v1/jobs/" + id + "/result", Fleet.KEY_A).json().getJsonArray("samples");
  }

  @Test
  void likelihoodAndEncodeJobsGiveTheExactDensityAndCodesThatDecodeBack() throws Exception {
    float[] points = {-2, 0, 2, 1, 0.5f, 0.5f};
    String encode =
        submit(
            Fleet.KEY_A,
            new JsonObject()
                .put("modelName", Fleet.MODEL)
                .put("numSamples", 3)
                .put("encode", new JsonObject().put("data", rows(points, 3)))
                .encode());
    finished(encode);
    JsonArray codes =
        http.get("/v1/jobs/" + encode + "/result", Fleet.KEY_A).json().getJsonArray("samples");
    float[] latent = new float[6];
    for (int i = 0; i < 6; i++) {
      latent[i] = codes.getJsonArray(i / 2).getFloat(i % 2);
    }
    JsonArray back = decoded(latent, 3);
    for (int i = 0; i < 6; i++) {
      assertEquals(
          points[i],
          back.getJsonArray(i / 2).getFloat(i % 2),
          2e-3,
          "value " + i + " encoded and decoded");
    }

    float[] ends = Arrays.copyOf(points, 4);
    String walk =
        submit(
            Fleet.KEY_A,
            new JsonObject()
                .put("modelName", Fleet.MODEL)
                .put("numSamples", 2)
                .put("encode", new JsonObject().put("data", rows(ends, 2)).put("interpolate", 5))
                .encode());
    finished(walk);
    JsonArray path =
        http.get("/v1/jobs/" + walk + "/result", Fleet.KEY_A).json().getJsonArray("samples");
    assertEquals(
        5, path.size(), "five codes on the way from the first example's code to the second's");
    float[] pathCodes = new float[10];
    for (int i = 0; i < 10; i++) {
      pathCodes[i] = path.getJsonArray(i / 2).getFloat(i % 2);
    }
    for (int j = 0; j < 2; j++) {
      // the two jobs integrate different sets of examples, so their adaptive steps, and codes,
      // differ within tolerance
      assertEquals(latent[j], pathCodes[j], 2e-3, "the walk starts at the first code");
      assertEquals(latent[2 + j], pathCodes[8 + j], 2e-3, "and ends at the second");
    }
    JsonArray steps = decoded(pathCodes, 5);
    for (int j = 0; j < 2; j++) {
      assertEquals(
          points[j],
          steps.getJsonArray(0).getFloat(j),
          2e-3,
          "decoded, the walk starts at example 0");
      assertEquals(points[2 + j], steps.getJsonArray(4).getFloat(j), 2e-3, "and ends at example 1");
    }
    Http.Answer threeEnds =
        http.post(
            "/v1/jobs",
            Fleet.KEY_A,
            new JsonObject()
                .put("modelName", Fleet.MODEL)
                .put("numSamples", 3)
                .put("encode", new JsonObject().put("data", rows(points, 3)).put("interpolate", 5))
                .encode());
    assertEquals(422, threeEnds.status(), threeEnds.body().toString());
    assertEquals("encode.interpolate", threeEnds.error().getString("field"));

    String likelihood =
        submit(
            Fleet.KEY_A,
            new JsonObject()
                .put("modelName", Fleet.MODEL)
                .put("numSamples", 3)
                .put("likelihood", new JsonObject().put("data", rows(points, 3)).put("exact", true))
                .encode());
    JsonObject completed = finished(likelihood).getJsonObject("completed");
    assertEquals("nats", completed.getString("unit"), completed.encode());
    JsonObject result = http.get("/v1/jobs/" + likelihood + "/result", Fleet.KEY_A).json();
    assertEquals("nats", result.getString("unit"));
    // the truth as LikelihoodTest states it: log p_eps(x), with the prior's mismatch to the exact
    // p_T at the code
    io.scorestream.core.sde.Sde sde = Fleet.info().sde();
    var atEps = Fleet.mixture().perturbed(sde, Fleet.info().eps());
    var atT = Fleet.mixture().perturbed(sde, sde.horizon());
    for (int i = 0; i < 3; i++) {
      double[] z = {latent[2 * i], latent[2 * i + 1]};
      double truth =
          atEps.logDensity(new double[] {points[2 * i], points[2 * i + 1]})
              + sde.priorLogDensity(z, 0, 2)
              - atT.logDensity(z);
      assertEquals(truth, result.getJsonArray("values").getDouble(i), 2e-3, "example " + i);
    }
    assertEquals(
        406, http.get("/v1/jobs/" + likelihood + "/result?format=png", Fleet.KEY_A).status());

    Http.Answer wide =
        http.post(
            "/v1/jobs",
            Fleet.KEY_A,
            new JsonObject()
                .put("modelName", Fleet.MODEL)
                .put("numSamples", 2)
                .put("likelihood", new JsonObject().put("data", rows(points, 3)))
                .encode());
    assertEquals(422, wide.status(), wide.body().toString());
    assertEquals("likelihood.data", wide.error().getString("field"));
    Http.Answer probes =
        http.post(
            "/v1/jobs",
            Fleet.KEY_A,
            new JsonObject()
                .put("modelName", Fleet.MODEL)
                .put("numSamples", 3)
                .put(
                    "likelihood", new JsonObject().put("data", rows(points, 3)).put("probes", 5000))
                .encode());
    assertEquals(422, probes.status(), probes.body().toString());
    assertEquals("likelihood.probes", probes.error().getString("field"));
  }

  @Test
  void badRequestsAreRefusedWithAStatusAndABodyThatNamesWhatIsWrong() throws Exception {
    assertEquals(401, http.post("/v1/jobs", null, job(1, 10, 1, 0)).status());
    assertEquals(
        "unauthorized",
        http.post("/v1/jobs", "ss_wrong", job(1, 10, 1, 0)).error().getString("code"));
    Http.Answer notJson = http.post("/v1/jobs", Fleet.KEY_A, "{\"modelName\": ");
    assertEquals(400, notJson.status());
    Http.Answer unknownField =
        http.post("/v1/jobs", Fleet.KEY_A, "{\"modelName\": \"x\", \"samples\": 3}");
    assertEquals(400, unknownField.status());
    assertTrue(
        unknownField.error().getString("message").contains("samples"),
        unknownField.body().toString());
    Http.Answer snr =
        http.post(
            "/v1/jobs",
            Fleet.KEY_A,
            new JsonObject()
                .put("modelName", Fleet.MODEL)
                .put("numSamples", 2)
                .put("sampler", new JsonObject().put("snr", -1))
                .encode());
    assertEquals(422, snr.status(), snr.body().toString());
    assertEquals("sampler.snr", snr.error().getString("field"));
    Http.Answer model =
        http.post("/v1/jobs", Fleet.KEY_A, "{\"modelName\": \"absent\", \"numSamples\": 1}");
    assertEquals(422, model.status());
    assertEquals("unknown_model", model.error().getString("code"));
    assertTrue(
        model.error().getString("message").contains(Fleet.MODEL), "it lists the models served");
    Http.Answer imposter =
        http.post(
            "/v1/jobs",
            Fleet.KEY_A,
            "{\"modelName\": \"" + Fleet.MODEL + "\", \"numSamples\": 1, \"tenant\": \"b\"}");
    assertEquals(422, imposter.status());
    assertEquals("tenant", imposter.error().getString("field"));
    Http.Answer ownId =
        http.post(
            "/v1/jobs",
            Fleet.KEY_A,
            "{\"modelName\": \"" + Fleet.MODEL + "\", \"numSamples\": 1, \"jobId\": \"mine\"}");
    assertEquals("jobId", ownId.error().getString("field"));
    Http.Answer huge = http.post("/v1/jobs", Fleet.KEY_A, job(2_000_000, 10, 1, 0));
    assertEquals(413, huge.status());
    assertEquals("numSamples", huge.error().getString("field"));
    assertEquals(404, http.get("/v1/jobs/no-such-job", Fleet.KEY_A).status());
    assertEquals(400, http.get("/v1/jobs?status=sleeping", Fleet.KEY_A).status());
  }

  @Test
  void aTenantOverItsRateIsToldWhenToRetry() throws Exception {
    submit(Fleet.KEY_SLOW, job(1, 10, 1, 0));
    submit(Fleet.KEY_SLOW, job(1, 10, 2, 0));
    Http.Answer third = http.post("/v1/jobs", Fleet.KEY_SLOW, job(1, 10, 3, 0));
    assertEquals(429, third.status());
    assertEquals("rate_limited", third.error().getString("code"));
    assertTrue(Long.parseLong(third.headers().get("Retry-After")) > 0);
  }

  @Test
  void theFleetItsModelsAndTheOperationalEndpointsAnswer() throws Exception {
    JsonArray models = http.get("/v1/models", Fleet.KEY_A).json().getJsonArray("models");
    JsonObject model =
        models.stream()
            .map(JsonObject.class::cast)
            .filter(m -> m.getString("name").equals(Fleet.MODEL))
            .findFirst()
            .orElseThrow();
    assertEquals("vp", model.getString("sde"));
    assertEquals(new JsonArray().add(2), model.getJsonArray("dataShape"));
    assertEquals("mixture", model.getJsonObject("metadata").getString("scorestream.dataset"));
    JsonObject images =
        models.stream()
            .map(JsonObject.class::cast)
            .filter(m -> m.getString("name").equals(Fleet.IMAGES))
            .findFirst()
            .orElseThrow();
    assertEquals(new JsonArray().add(1).add(8).add(8), images.getJsonArray("dataShape"));
    JsonArray workers = http.get("/v1/workers", Fleet.KEY_A).json().getJsonArray("workers");
    assertEquals("gateway-test-worker", workers.getJsonObject(0).getString("workerId"));
    assertEquals(200, http.get("/healthz", null).status());
    assertEquals(200, http.get("/readyz", null).status());
    assertTrue(http.get("/metrics", null).body().toString().contains("gateway_http_requests"));
  }

  @Test
  void aModelsTrainingCurveIsServedInStepOrderAndAModelWithoutOneIsNotFound() throws Exception {
    fleet.publishCurve("curved", 3000);
    Http.Answer curve =
        await("the whole curve reached the gateway")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> http.get("/v1/models/curved/training", Fleet.KEY_B),
                answer ->
                    answer.status() == 200 && answer.json().getJsonArray("points").size() >= 30);
    JsonArray points = curve.json().getJsonArray("points");
    assertEquals(
        "100", points.getJsonObject(0).getString("step"), "int64 as protobuf JSON writes it");
    JsonObject checkpoint = points.getJsonObject(9);
    assertEquals("1000", checkpoint.getString("version"));
    assertEquals(0.1, checkpoint.getDouble("slicedWasserstein"), 1e-12);
    Http.Answer none = http.get("/v1/models/never-trained/training", Fleet.KEY_A);
    assertEquals(404, none.status(), "a model no trainer wrote a curve for");
    assertEquals("no_training_curve", none.error().getString("code"));
    Http.Answer bad = http.get("/v1/models/no%20such%20name/training", Fleet.KEY_A);
    assertEquals(400, bad.status(), bad.body().toString());
    assertEquals(401, http.get("/v1/models/curved/training", null).status());
  }
}
