package io.scorestream.gateway;

import static org.awaitility.Awaitility.await;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.analytic.Glyphs;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.sde.VpSde;
import io.scorestream.gateway.auth.Tenants;
import io.scorestream.gateway.webhooks.WebhookPolicy;
import io.scorestream.gateway.webhooks.WebhookSettings;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.testkit.TestKafka;
import io.scorestream.worker.Worker;
import io.scorestream.worker.WorkerSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the gateway's tests run against: a real broker, a real worker serving a real ONNX model, two
 * tenants.
 */
final class Fleet implements AutoCloseable {
  static final String MODEL = "mix2d";

  /** An image model: eight 8 x 8 glyphs, whose previews travel as PNG. */
  static final String IMAGES = "glyphs";

  /** A colour image model: 4 x 4 pictures, reddish or bluish, for colorization. */
  static final String COLOURS = "swatches";

  /**
   * The exact classifier of {@link #MODEL}'s two modes (class 0: the one at (-2, 0)), which guides
   * it.
   */
  static final String MODES = "mix2d-modes";

  /** The shipped class-conditional MNIST U-Net (models/ at the repository root). */
  static final String DIGITS = "mnist-unet";

  /** The shipped class-conditional colour U-Net of the emoji (models/), 3 x 32 x 32. */
  static final String EMOJI = "emoji-unet";

  static final String KEY_A = "ss_test-key-of-tenant-a";
  static final String KEY_B = "ss_test-key-of-tenant-b";

  /** Tenant a signs its webhooks with this; tenant b has no webhook secret. */
  static final String WEBHOOK_SECRET_A =
      "whsec_"
          + Base64.getEncoder()
              .encodeToString(
                  "a test secret of thirty-two bytes".getBytes(StandardCharsets.US_ASCII));

  /** Webhook retries within a test's patience: 200 ms, 400 ms, ... up to 2 s, six attempts. */
  static final WebhookSettings FAST_WEBHOOKS =
      new WebhookSettings(
          WebhookPolicy.anywhere(),
          Duration.ofMillis(200),
          Duration.ofSeconds(2),
          6,
          Duration.ofSeconds(3));

  static final String KEY_SLOW = "ss_test-key-of-a-tenant-with-a-low-rate";
  final TopicNames names;
  final TestKafka kafka;
  final KafkaClients clients;
  final Worker worker;
  final byte[] onnx;

  /** A fleet on the run's shared broker, under topics of its own. */
  Fleet(Path dir, TestKafka kafka) throws Exception {
    this.kafka = kafka;
    this.names = kafka.freshNames("gateway");
    clients = kafka.clients();
    onnx = GaussianMixtureOnnx.build(mixture(), info());
    Path models = Files.createDirectories(dir.resolve("models"));
    Files.write(models.resolve(MODEL + ".onnx"), onnx);
    ModelInfo base = info();
    Files.write(
        models.resolve(MODES + ".onnx"),
        GaussianMixtureOnnx.classifier(
            mixture(),
            new ModelInfo(
                MODES,
                "1",
                base.sde(),
                base.eps(),
                base.dataShape(),
                base.scaling(),
                2,
                base.timeInput(),
                "mixture",
                -1)));
    VpSde vp = new VpSde(0.1, 20, 1);
    Files.write(
        models.resolve(IMAGES + ".onnx"),
        GaussianMixtureOnnx.build(
            Glyphs.mixture(8, 0.1),
            new ModelInfo(
                IMAGES,
                "1",
                vp,
                1e-3,
                new int[] {1, 8, 8},
                DataScaling.CENTERED,
                0,
                TimeInput.TIME,
                "glyphs",
                -1)));
    Files.write(
        models.resolve(COLOURS + ".onnx"),
        GaussianMixtureOnnx.build(
            swatches(),
            new ModelInfo(
                COLOURS,
                "1",
                vp,
                1e-3,
                new int[] {3, 4, 4},
                DataScaling.CENTERED,
                0,
                TimeInput.TIME,
                "swatches",
                -1)));
    for (String shipped : List.of(DIGITS, EMOJI)) {
      Files.copy(Path.of("..", "models", shipped + ".onnx"), models.resolve(shipped + ".onnx"));
    }
    worker =
        Worker.start(
            WorkerSettings.builder(kafka.bootstrapServers(), "gateway-test-worker")
                .topics(names)
                .modelsDir(models)
                .intraOpThreads(1)
                .build());
  }

  /**
   * A client of the gateway once it is ready and lists every model of this fleet: the worker has
   * loaded them and its heartbeat reached the gateway.
   */
  static Http ready(Vertx vertx, Gateway gateway) {
    Http http = new Http(vertx, gateway.port());
    await("the gateway became ready and lists the fleet's models")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                http.get("/readyz", null).status() == 200
                    && servesAll(http.get("/v1/models", KEY_A).json()));
    return http;
  }

  /**
   * True once a {@code GET /v1/models} answer lists every model of this fleet (the worker loads
   * them one by one).
   */
  static boolean servesAll(JsonObject answer) {
    Set<String> names =
        answer.getJsonArray("models").stream()
            .map(m -> ((JsonObject) m).getString("name"))
            .collect(Collectors.toSet());
    return names.containsAll(List.of(MODEL, IMAGES, DIGITS, EMOJI, COLOURS, MODES));
  }

  /**
   * Two colour pictures of 4 x 4 pixels, model space (data in [0, 1] centred): reddish and bluish,
   * std 0.1.
   */
  static GaussianMixture swatches() {
    int pixels = 16;
    double[][] means = new double[2][3 * pixels];
    double[][] colours = {{0.8, 0.3, 0.1}, {0.1, 0.3, 0.8}};
    for (int k = 0; k < 2; k++) {
      for (int c = 0; c < 3; c++) {
        Arrays.fill(means[k], c * pixels, (c + 1) * pixels, 2 * colours[k][c] - 1);
      }
    }
    return new GaussianMixture(new double[] {0.5, 0.5}, means, new double[] {0.1, 0.1});
  }

  /** Two well separated modes in the plane, weights 0.3 and 0.7. */
  static GaussianMixture mixture() {
    return new GaussianMixture(
        new double[] {0.3, 0.7}, new double[][] {{-2, 0}, {2, 1}}, new double[] {0.25, 0.5});
  }

  static ModelInfo info() {
    return new ModelInfo(
        MODEL,
        "1",
        new VpSde(0.1, 20, 1),
        1e-3,
        new int[] {2},
        DataScaling.IDENTITY,
        0,
        TimeInput.TIME,
        "mixture",
        -1);
  }

  static Tenants tenants() {
    return Tenants.parse(
        "{\"tenants\": ["
            + "{\"name\": \"a\", \"keyHashes\": [\""
            + Tenants.hash(KEY_A)
            + "\"], \"webhookSecret\": \""
            + WEBHOOK_SECRET_A
            + "\"},"
            + "{\"name\": \"b\", \"keyHashes\": [\""
            + Tenants.hash(KEY_B)
            + "\"]},"
            + "{\"name\": \"slow\", \"keyHashes\": [\""
            + Tenants.hash(KEY_SLOW)
            + "\"], \"ratePerSecond\": 0.01,"
            + " \"burst\": 2, \"maxActiveJobs\": 5}]}",
        "test tenants");
  }

  /**
   * A gateway on a free loopback port, whose webhooks may reach loopback receivers and are retried
   * quickly.
   */
  Gateway gateway() throws Exception {
    return gateway(FAST_WEBHOOKS);
  }

  Gateway gateway(WebhookSettings webhooks) throws Exception {
    return gateway(webhooks, 0);
  }

  /** A gateway on this loopback port (0: any free one). */
  Gateway gateway(WebhookSettings webhooks, int port) throws Exception {
    return Gateway.start(
        Gateway.Settings.of(clients, names, tenants(), "127.0.0.1", port).withWebhooks(webhooks));
  }

  /**
   * Writes a training curve for a model on the training topic, as a trainer does: a loss point
   * every hundred steps to {@code steps}, and a checkpoint point with its sliced W1 every thousand.
   */
  void publishCurve(String model, long steps) throws Exception {
    try (var producer = clients.producer(Map.of())) {
      for (long step = 100; step <= steps; step += 100) {
        var point =
            io.scorestream.proto.v1.TrainingMetrics.newBuilder()
                .setModelName(model)
                .setDataset("mixture")
                .setStep(step)
                .setLoss(2.0 / Math.sqrt(step))
                .setExamplesPerSecond(50_000);
        if (step % 1000 == 0) {
          point
              .setVersion(Long.toString(step))
              .setQualitySamples(2000)
              .setSlicedWasserstein(1.0 / step * 100)
              .setSlicedWassersteinBound(0.12);
        }
        producer
            .send(
                new org.apache.kafka.clients.producer.ProducerRecord<>(
                    names.training(), model, point.build().toByteArray()))
            .get();
      }
    }
  }

  @Override
  public void close() throws Exception {
    worker.close();
  }
}
