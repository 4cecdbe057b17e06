package io.scorestream.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.testkit.ServiceJar;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's own artifact, {@code target/scorestream-worker.jar}, as an operator gets it: it
 * runs, and it carries the worker's runtime alone (no PyTorch, no Vert.x, no Kafka broker, no test
 * kit) with ONNX Runtime's natives for linux-x64 only.
 */
@ExtendWith(SharedBroker.class)
class WorkerArtifactIT {
  private static final ServiceJar JAR = ServiceJar.worker();

  @Test
  void theJarCarriesTheWorkerAloneWithLinuxX64NativesOnly() throws IOException {
    JAR.assertShipsItsServiceAlone();
    JAR.assertLinuxX64NativesOnly();
    JAR.assertReachableClassesResolve();
  }

  @Test
  void itServesItsModelsOnABrokerAndStopsWithZeroOnSigterm(TestKafka kafka, @TempDir Path dir)
      throws Exception {
    TopicNames names = kafka.freshNames("artifact");
    Path models = TestModels.dir(dir, "gmm.onnx", TestModels.standardNormal("gmm", "1", 2));
    Path log = dir.resolve("worker.log");
    Process worker =
        JAR.start(
            log,
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-prefix",
            names.prefix(),
            "--models-dir",
            models.toString(),
            "--worker-id",
            "artifact");
    try {
      await("the worker's jar serves its model")
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.readString(log).contains("worker artifact serves [gmm:1]"));
      ServiceJar.assertSigtermEndsItWithZero(worker, log, 60);
    } finally {
      worker.destroyForcibly();
    }
  }

  @Test
  void aStopWhileItWaitsForTheBrokersItExpectsEndsItWithZero(TestKafka kafka, @TempDir Path dir)
      throws Exception {
    Path log = dir.resolve("worker.log");
    Process worker =
        JAR.start(
            log,
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-prefix",
            kafka.freshNames("expecting").prefix(),
            "--expect-brokers",
            "3",
            "--worker-id",
            "expecting");
    try {
      await("the worker waits for three brokers")
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.readString(log).contains("waiting for 3 Kafka brokers"));
      // SIGTERM, before it has started anything
      ServiceJar.assertSigtermEndsItWithZero(worker, log, 30);
    } finally {
      worker.destroyForcibly();
    }
  }

  @Test
  void itRunsAndRefusesAMissingClusterNamingTheOption() throws Exception {
    Process help = JAR.command("--help").start();
    String usage = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(help.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, help.exitValue(), usage);
    assertTrue(usage.contains("--bootstrap-servers") && usage.contains("--models-dir"), usage);

    Process bare = JAR.command().start();
    String refusal = new String(bare.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(bare.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, bare.exitValue(), refusal);
    assertTrue(refusal.contains("--bootstrap-servers"), refusal);

    Process gpu = JAR.command("--bootstrap-servers", "localhost:1", "--device", "gpu").start();
    String wrongDevice = new String(gpu.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(gpu.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, gpu.exitValue(), wrongDevice);
    assertTrue(
        wrongDevice.contains("--device") && wrongDevice.contains("cpu, cuda or cuda:N"),
        wrongDevice);
    long size = Files.size(JAR.path());
    assertTrue(size < 64L << 20, "the worker's jar is " + size + " bytes");
  }
}
