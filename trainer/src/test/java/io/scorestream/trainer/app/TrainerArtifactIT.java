package io.scorestream.trainer.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.testkit.ServiceJar;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.trainer.data.DataPublisher;
import io.scorestream.trainer.data.DataSources;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's own artifact, {@code target/scorestream-trainer.jar}, as an operator gets it: the
 * trainer alone (no Vert.x, no Kafka broker, no test kit), PyTorch's and ONNX Runtime's natives for
 * Linux on x86-64 only, training offline from a data topic to a published checkpoint, and ending
 * with status 0 at its last step or on SIGTERM.
 */
@ExtendWith(SharedBroker.class)
class TrainerArtifactIT {
  private static final ServiceJar JAR = ServiceJar.trainer();

  @Test
  void theJarCarriesTheTrainerAloneWithLinuxX64NativesOnly() throws IOException {
    JAR.assertShipsItsServiceAlone();
    JAR.assertLinuxX64NativesOnly();
    JAR.assertReachableClassesResolve();
    assertTrue(
        JAR.entries().stream().anyMatch(n -> n.startsWith("pytorch/cpu/linux-x86_64/libtorch_cpu")),
        "PyTorch's CPU natives for Linux");
  }

  @Test
  void itTrainsFromADataTopicPublishesAndEndsWithZeroAtItsLastStep(
      TestKafka kafka, @TempDir Path dir) throws Exception {
    TopicNames names = kafka.freshNames("trainer-artifact");
    new DataPublisher(kafka.clients(), names)
        .publish("rings", DataSources.builtin("rings", 1), 600, 0, l -> {});
    Path log = dir.resolve("trainer.log");
    Process trainer = start(kafka, names, log, "--max-steps", "40", "--checkpoint-every", "20");
    try {
      assertTrue(trainer.waitFor(180, TimeUnit.SECONDS), "it ends at --max-steps");
      String said = Files.readString(log);
      assertEquals(0, trainer.exitValue(), said);
      assertTrue(
          said.contains("published rings-mlp:20") && said.contains("published rings-mlp:40"), said);
    } finally {
      trainer.destroyForcibly();
    }
  }

  @Test
  void itServesMetricsAndSigtermWhileItWaitsForExamplesEndsItWithZero(
      TestKafka kafka, @TempDir Path dir) throws Exception {
    TopicNames names = kafka.freshNames("trainer-artifact-idle");
    Path log = dir.resolve("trainer.log");
    Process trainer = start(kafka, names, log, "--metrics-port", "0");
    try {
      await("the trainer waits for examples and says where its metrics are")
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                String said = Files.readString(log);
                return said.contains("waiting for examples") && said.contains("trainer metrics on");
              });
      Matcher url =
          Pattern.compile("trainer metrics on (http://\\S+)").matcher(Files.readString(log));
      assertTrue(url.find(), Files.readString(log));
      HttpResponse<String> scrape =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url.group(1))).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, scrape.statusCode());
      assertTrue(
          scrape.body().contains("scorestream_trainer_checkpoint_step{model=\"rings-mlp\"} -1.0"),
          scrape.body());
      ServiceJar.assertSigtermEndsItWithZero(trainer, log, 60);
    } finally {
      trainer.destroyForcibly();
    }
  }

  private static Process start(TestKafka kafka, TopicNames names, Path log, String... more)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--topic-prefix",
                names.prefix(),
                "--dataset",
                "rings",
                "--model",
                "rings-mlp",
                "--hidden",
                "32",
                "--layers",
                "2",
                "--batch",
                "64",
                "--quality-samples",
                "0"));
    args.addAll(List.of(more));
    return JAR.start(log, args.toArray(String[]::new));
  }
}
