package io.scorestream.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's workflow as a new user runs it: {@code bin/scorestream dev} in one process, {@code
 * submit} and {@code cancel} in others, against the packaged jar. Runs after {@code package}
 * (Failsafe).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DevWorkflowIT {
  private static final Pattern METRICS = Pattern.compile("worker metrics on (http://\\S+)");

  @TempDir static Path dir;
  private Cli cli;
  private Process dev;
  private Path devLog;
  private String bootstrap;
  private String metricsUrl;

  private ProcessBuilder command(String... args) {
    return cli.command(args);
  }

  private Cli.Run run(String... args) throws Exception {
    return cli.run(args);
  }

  @BeforeAll
  void startDev() throws Exception {
    cli = new Cli(dir);
    devLog = dir.resolve("dev.log");
    Cli.Dev started =
        cli.dev(
            devLog,
            "--data-dir",
            dir.resolve("dev").toString(),
            "--metrics-port",
            "0",
            // the trainer's first measured checkpoint is all the tests need; it stops there and
            // leaves the cores to them
            "--trainer-steps",
            "1000");
    dev = started.process();
    bootstrap = started.bootstrap();
    Matcher m = METRICS.matcher(started.output());
    if (m.find()) {
      metricsUrl = m.group(1);
    }
  }

  private String devOutput() throws IOException {
    return Files.exists(devLog) ? Files.readString(devLog) : "";
  }

  @AfterAll
  void stopDev() throws Exception {
    if (dev != null) {
      dev.destroy(); // SIGTERM, as Ctrl-C or a supervisor would
      assertTrue(dev.waitFor(60, TimeUnit.SECONDS), "dev stops on SIGTERM: " + devOutput());
      assertTrue(devOutput().lines().anyMatch("stopping"::equals), devOutput());
    }
  }

  @Test
  void submitWithWatchWritesTheSamplesAndPreviews() throws Exception {
    Cli.Run r =
        run(
            "submit",
            "--bootstrap-servers",
            bootstrap,
            "--model",
            "gmm-vp",
            "--samples",
            "16",
            "--seed",
            "3",
            "--steps",
            "200",
            "--watch",
            "--out",
            "samples.npy",
            "--preview-every",
            "50",
            "--preview-kind",
            "denoised",
            "--preview-out",
            "preview.npy");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().matches("[0-9a-f-]{36}"), "prints the job id: " + r.out());
    assertTrue(
        r.err().contains("started on") && r.err().contains("wrote 16 samples to samples.npy"),
        r.err());
    assertEquals(16 * 2, npyFloats(dir.resolve("samples.npy")));
    assertEquals(16 * 2, npyFloats(dir.resolve("preview.npy")), "the last preview was written");
  }

  @Test
  void cancelStopsAWatchedJobOfTheSameTenantOnly() throws Exception {
    Path watched = dir.resolve("watcher.log");
    Process watcher =
        command(
                "submit",
                "--bootstrap-servers",
                bootstrap,
                "--model",
                "gmm-ve",
                "--samples",
                "4",
                "--steps",
                "400000",
                "--job-id",
                "long-job",
                "--tenant",
                "acme",
                "--watch")
            .redirectError(watched.toFile())
            .start();
    Cli.awaitOutput(
        "the job started", Duration.ofSeconds(60), watcher, watched, o -> o.contains("started on"));
    Cli.Run other =
        run("cancel", "--bootstrap-servers", bootstrap, "--tenant", "someone-else", "long-job");
    assertEquals(1, other.code(), other.err());
    assertTrue(
        other.err().contains("no job long-job of tenant someone-else; nothing cancelled"),
        other.err());
    Cli.Run owner =
        run(
            "cancel",
            "--bootstrap-servers",
            bootstrap,
            "--tenant",
            "acme",
            "--reason",
            "changed my mind",
            "long-job");
    assertEquals(0, owner.code(), owner.err());
    assertTrue(owner.err().contains("cancelled long-job: changed my mind"), owner.err());
    Cli.Run again = run("cancel", "--bootstrap-servers", bootstrap, "--tenant", "acme", "long-job");
    assertEquals(1, again.code(), again.err());
    assertTrue(again.err().contains("had already ended (cancelled)"), again.err());
    boolean ended = watcher.waitFor(60, TimeUnit.SECONDS);
    String rest = Files.readString(watched);
    watcher.destroyForcibly();
    assertTrue(ended, "the watcher ends once the job is cancelled: " + rest);
    assertEquals(1, watcher.exitValue(), rest);
    assertTrue(
        rest.contains("was cancelled: changed my mind"),
        "the owner's cancel, not the other's: " + rest);
  }

  @Test
  void badRequestsGetOneLineErrorsAndTheWorkerServesOn() throws Exception {
    Cli.Run unknown =
        run("submit", "--bootstrap-servers", bootstrap, "--model", "no-such-model", "--watch");
    assertEquals(1, unknown.code(), unknown.err());
    assertTrue(unknown.err().contains("failed: unknown model 'no-such-model'"), unknown.err());
    Cli.Run zero =
        run("submit", "--bootstrap-servers", bootstrap, "--model", "gmm-vp", "--samples", "0");
    assertEquals(2, zero.code(), zero.err());
    assertTrue(zero.err().contains("--samples must be positive"), zero.err());
    // outputs that cannot be written are found before the job is sent, not after it ran
    Cli.Run png =
        run(
            "submit",
            "--bootstrap-servers",
            bootstrap,
            "--model",
            "gmm-vp",
            "--watch",
            "--out",
            "x.png");
    assertEquals(2, png.code(), png.err());
    assertTrue(
        png.err().contains("PNG needs an image model") && png.out().isEmpty(),
        png.err() + png.out());
    Cli.Run nowhere =
        run(
            "submit",
            "--bootstrap-servers",
            bootstrap,
            "--model",
            "gmm-vp",
            "--watch",
            "--out",
            "missing-dir/x.npy");
    assertEquals(2, nowhere.code(), nowhere.err());
    assertTrue(nowhere.err().contains("does not exist") && nowhere.out().isEmpty(), nowhere.err());
    Cli.Run timeout =
        run("submit", "--bootstrap-servers", bootstrap, "--model", "gmm-vp", "--timeout", "-1");
    assertEquals(2, timeout.code(), timeout.err());
    Cli.Run snr =
        run("submit", "--bootstrap-servers", bootstrap, "--model", "gmm-vp", "--snr", "-1");
    assertEquals(2, snr.code(), snr.err());
    assertTrue(snr.err().contains("sampler.snr: snr must be positive"), snr.err());
    Cli.Run after =
        run(
            "submit",
            "--bootstrap-servers",
            bootstrap,
            "--model",
            "gmm-ve",
            "--samples",
            "2",
            "--steps",
            "20",
            "--watch",
            "--out",
            "after.npy");
    assertEquals(0, after.code(), after.err());
  }

  /**
   * What operators watch is what the services export: every metric the Grafana dashboard and the
   * workers' HorizontalPodAutoscaler query is among dev's worker's and gateway's /metrics once a
   * job has run (the per-model meters start with a model's first call). The queue lag comes from
   * Kafka Exporter, no service of ours.
   */
  @Test
  void theDashboardAndTheAutoscalerQueryOnlyMetricsTheServicesExport() throws Exception {
    assertTrue(metricsUrl != null, "dev printed its metrics address: " + devOutput());
    Matcher gateway = Pattern.compile("gateway on (http://\\S+) ").matcher(devOutput());
    assertTrue(gateway.find(), devOutput());
    Cli.Run job =
        run(
            "submit",
            "--bootstrap-servers",
            bootstrap,
            "--model",
            "gmm-vp",
            "--samples",
            "4",
            "--steps",
            "20",
            "--watch",
            "--out",
            "metrics-job.npy");
    assertEquals(0, job.code(), job.err());
    Set<String> queried = new TreeSet<>();
    Matcher names =
        Pattern.compile("\\b(?:scorestream|gateway)_[a-z_]+\\b")
            .matcher(
                Files.readString(
                        Path.of(
                            "..",
                            "deploy",
                            "observability",
                            "grafana",
                            "scorestream-dashboard.json"))
                    + Files.readString(
                        Path.of("..", "deploy", "kubernetes", "hpa", "worker-hpa.yaml")));
    while (names.find()) {
      queried.add(names.group());
    }
    assertTrue(queried.size() >= 10, "the dashboard's metrics: " + queried);
    HttpClient http = HttpClient.newHttpClient();
    String exported =
        await("every queried metric is exported")
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  StringBuilder text = new StringBuilder();
                  for (String url : List.of(metricsUrl, gateway.group(1) + "/metrics")) {
                    HttpResponse<String> r =
                        http.send(
                            HttpRequest.newBuilder(URI.create(url)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), url);
                    text.append(r.body());
                  }
                  return text.toString();
                },
                text -> queried.stream().allMatch(m -> exports(text, m)));
    for (String m : queried) {
      assertTrue(exports(exported, m), m + " is exported");
    }
  }

  /** True when the Prometheus text has a sample of {@code metric}. */
  private static boolean exports(String text, String metric) {
    return text.lines().anyMatch(l -> l.startsWith(metric + "{") || l.startsWith(metric + " "));
  }

  /** The number of float32 values in an .npy file, checking its header says float32. */
  @Test
  void submitAndCancelGoThroughTheGatewayWithTheSamplesKafkaGives() throws Exception {
    Matcher gateway =
        Pattern.compile("gateway on (http://\\S+) \\(tenant dev, API key (\\S+),")
            .matcher(devOutput());
    assertTrue(gateway.find(), "dev printed the gateway and its key: " + devOutput());
    String url = gateway.group(1);
    String key = gateway.group(2);
    Cli.Run kafka =
        run(
            "submit",
            "--bootstrap-servers",
            bootstrap,
            "--model",
            "gmm-vp",
            "--samples",
            "16",
            "--seed",
            "9",
            "--steps",
            "150",
            "--watch",
            "--out",
            "via-kafka.npy");
    assertEquals(0, kafka.code(), kafka.err());
    Cli.Run http =
        run(
            "submit",
            "--gateway",
            url,
            "--api-key",
            key,
            "--model",
            "gmm-vp",
            "--samples",
            "16",
            "--seed",
            "9",
            "--steps",
            "150",
            "--watch",
            "--out",
            "via-gateway.npy",
            "--preview-every",
            "50",
            "--preview-out",
            "via-gateway-preview.npy");
    assertEquals(0, http.code(), http.err());
    assertTrue(http.out().matches("j-[0-9a-f]{32}"), "prints the gateway's job id: " + http.out());
    assertTrue(http.err().contains("wrote 16 samples to via-gateway.npy"), http.err());
    io.scorestream.jobs.formats.Npy.Array a =
        io.scorestream.jobs.formats.Npy.read(dir.resolve("via-kafka.npy"));
    io.scorestream.jobs.formats.Npy.Array b =
        io.scorestream.jobs.formats.Npy.read(dir.resolve("via-gateway.npy"));
    for (int i = 0; i < a.values().length; i++) {
      assertEquals(
          a.values()[i],
          b.values()[i],
          1e-3,
          "the same seed gives the same samples either way: " + i);
    }
    assertEquals(
        16 * 2,
        npyFloats(dir.resolve("via-gateway-preview.npy")),
        "previews through the gateway too");

    Cli.Run wrongKey =
        run("submit", "--gateway", url, "--api-key", "ss_wrong", "--model", "gmm-vp");
    assertEquals(1, wrongKey.code());
    assertTrue(wrongKey.err().contains("401"), wrongKey.err());
    Cli.Run refused = run("submit", "--gateway", url, "--api-key", key, "--model", "no-such-model");
    assertEquals(1, refused.code());
    assertTrue(
        refused.err().contains("unknown_model") && refused.err().contains("[modelName]"),
        refused.err());

    Cli.Run running =
        run(
            "submit",
            "--gateway",
            url,
            "--api-key",
            key,
            "--model",
            "gmm-ve",
            "--samples",
            "4",
            "--steps",
            "400000");
    assertEquals(0, running.code(), running.err());
    Cli.Run cancel = run("cancel", "--gateway", url, "--api-key", key, running.out());
    assertEquals(0, cancel.code(), cancel.err());
    assertTrue(cancel.err().contains("cancelled " + running.out()), cancel.err());
    Cli.Run again = run("cancel", "--gateway", url, "--api-key", key, running.out());
    assertEquals(1, again.code(), again.err());
    assertTrue(again.err().contains("had already ended"), again.err());
  }

  /**
   * The guidance workflow of the README: a classifier trained for the shipped digit model (briefly:
   * this checks the path, GatewayApiTest checks what guidance does), published to the fleet, loaded
   * by dev's worker without a restart, and used by a submitted job; a file that is not a model is
   * refused before anything is published.
   */
  @Test
  void aClassifierTrainedAndPublishedFromTheCommandLineGuidesASubmittedJob() throws Exception {
    Path mnist = Path.of("..", "..", "shared", "data", "mnist").toAbsolutePath().normalize();
    Cli.Run trained =
        run(
            "train-classifier",
            "--for",
            dir.resolve("dev/models/mnist-unet.onnx").toString(),
            "--mnist",
            mnist.toString(),
            "--steps",
            "40",
            "--hidden",
            "64",
            "--out",
            "digits.onnx");
    assertEquals(0, trained.code(), trained.err());
    Cli.Run published = run("model", "publish", "--bootstrap-servers", bootstrap, "digits.onnx");
    assertEquals(0, published.code(), published.err());
    assertEquals("digits:40", published.out());
    assertTrue(published.err().contains("published classifier digits:40"), published.err());
    Cli.awaitOutput(
        "dev's worker loaded the classifier",
        Duration.ofSeconds(60),
        dev,
        devLog,
        o -> o.contains("serving classifier digits:40"));
    Cli.Run guided =
        run(
            "submit",
            "--bootstrap-servers",
            bootstrap,
            "--model",
            "mnist-unet",
            "--samples",
            "2",
            "--steps",
            "20",
            "--label",
            "3",
            "--classifier",
            "digits",
            "--guidance-scale",
            "2",
            "--watch",
            "--out",
            "threes.npy");
    assertEquals(0, guided.code(), guided.err());
    assertEquals(2 * 28 * 28, npyFloats(dir.resolve("threes.npy")));
    Cli.Run notAModel = run("model", "publish", "--bootstrap-servers", bootstrap, "threes.npy");
    assertEquals(2, notAModel.code(), notAModel.err());
    assertTrue(notAModel.err().contains("cannot load model threes"), notAModel.err());
  }

  @Test
  void aTrainerOnADataTopicPublishesCheckpointsThatTheFleetServesToAJobThroughTheGateway()
      throws Exception {
    Cli.Run data =
        run(
            "data",
            "publish",
            "--bootstrap-servers",
            bootstrap,
            "--dataset",
            "eight",
            "--builtin",
            "8gaussians",
            "--limit",
            "5000");
    assertEquals(0, data.code(), data.err());
    Path trainerLog = dir.resolve("trainer.log");
    Process trainer =
        command(
                "trainer",
                "--bootstrap-servers",
                bootstrap,
                "--dataset",
                "eight",
                "--model",
                "trained-eight",
                "--checkpoint-every",
                "1000",
                "--hidden",
                "64",
                "--layers",
                "2")
            .redirectErrorStream(true)
            .redirectOutput(trainerLog.toFile())
            .start();
    try {
      // the trainer prints "published" after its send completes, so the worker may load the
      // checkpoint first
      Cli.awaitOutput(
          "the trainer published a checkpoint",
          Duration.ofSeconds(180),
          trainer,
          trainerLog,
          o -> o.contains("published trained-eight:"));
      Cli.awaitOutput(
          "dev's worker loaded the trainer's checkpoint",
          Duration.ofSeconds(60),
          dev,
          devLog,
          o -> o.contains("serving trained-eight:"));
      Matcher gateway =
          Pattern.compile("gateway on (http://\\S+) \\(tenant dev, API key (\\S+),")
              .matcher(devOutput());
      assertTrue(gateway.find(), devOutput());
      // the gateway knows it from the worker's next heartbeat
      HttpRequest models =
          HttpRequest.newBuilder(URI.create(gateway.group(1) + "/v1/models"))
              .header("Authorization", "Bearer " + gateway.group(2))
              .build();
      await("the gateway lists trained-eight")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  HttpClient.newHttpClient()
                      .send(models, HttpResponse.BodyHandlers.ofString())
                      .body(),
              body -> body.contains("\"trained-eight\""));
      Cli.Run job =
          run(
              "submit",
              "--gateway",
              gateway.group(1),
              "--api-key",
              gateway.group(2),
              "--model",
              "trained-eight",
              "--samples",
              "512",
              "--steps",
              "300",
              "--seed",
              "4",
              "--watch",
              "--out",
              "trained.npy");
      assertEquals(0, job.code(), job.err());
      float[] samples = io.scorestream.jobs.formats.Npy.read(dir.resolve("trained.npy")).values();
      double offRing = 0;
      for (int i = 0; i < samples.length / 2; i++) {
        offRing +=
            Math.abs(Math.hypot(samples[2 * i], samples[2 * i + 1]) - 4 / Math.sqrt(2))
                / (samples.length / 2);
      }
      // the modes sit on a ring of radius 2.83; noise from an untrained network would sit about 1.6
      // off it
      assertTrue(
          offRing < 0.8,
          "the trained model's samples lie near the ring of the eight modes: " + offRing);
    } finally {
      trainer.destroy();
      assertTrue(trainer.waitFor(60, TimeUnit.SECONDS), "the trainer stops on SIGTERM");
    }
  }

  @Test
  void devsOwnTrainerLearnsMoonsAndTheWorkerServesItsCheckpointsWithTheirQuality()
      throws Exception {
    Cli.awaitOutput(
        "dev's trainer published a measured checkpoint and its worker serves it",
        Duration.ofSeconds(240),
        dev,
        devLog,
        o -> o.contains("serving moons-live:") && o.contains("step 1000 quality:"));
    assertTrue(devOutput().contains("sliced W1"), devOutput());
    Cli.Run job =
        run(
            "submit",
            "--bootstrap-servers",
            bootstrap,
            "--model",
            "moons-live",
            "--samples",
            "64",
            "--steps",
            "200",
            "--watch",
            "--out",
            "moons.npy");
    assertEquals(0, job.code(), job.err());
    assertEquals(64 * 2, npyFloats(dir.resolve("moons.npy")));
  }

  private static int npyFloats(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    assertTrue(header.contains("'descr': '<f4'"), header);
    return (bytes.length - 10 - headerLength) / Float.BYTES;
  }
}
