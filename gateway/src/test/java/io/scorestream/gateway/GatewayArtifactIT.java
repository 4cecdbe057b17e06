package io.scorestream.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.testkit.ServiceJar;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's own artifact, {@code target/scorestream-gateway.jar}, as an operator gets it: the
 * gateway and its dashboard alone (no ONNX Runtime, no PyTorch, no Kafka broker, no test kit), a
 * key made by its {@code add-key}, a request served, and SIGTERM ending it with status 0.
 */
@ExtendWith(SharedBroker.class)
class GatewayArtifactIT {
  private static final ServiceJar JAR = ServiceJar.gateway();

  @Test
  void theJarCarriesTheGatewayAndItsDashboardAlone() throws IOException {
    JAR.assertShipsItsServiceAlone();
    JAR.assertLinuxX64NativesOnly();
    JAR.assertReachableClassesResolve();
    List<String> names = JAR.entries();
    assertTrue(names.contains("webroot/index.html") && names.contains("webroot/js/main.js"));
  }

  @Test
  void aKeyItMadeIsServedAndSigtermEndsItWithZero(TestKafka kafka, @TempDir Path dir)
      throws Exception {
    Path tenants = dir.resolve("tenants.json");
    Process add =
        JAR.command("add-key", "--tenants", tenants.toString(), "--tenant", "ops").start();
    String key = new String(add.getInputStream().readAllBytes()).strip();
    assertTrue(add.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, add.exitValue(), new String(add.getErrorStream().readAllBytes()));

    TopicNames names = kafka.freshNames("gateway-artifact");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path log = dir.resolve("gateway.log");
    Process gateway =
        JAR.start(
            log,
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-prefix",
            names.prefix(),
            "--tenants",
            tenants.toString(),
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port));
    try {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest models =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
              .header("Authorization", "Bearer " + key)
              .build();
      await("the gateway's jar answers with the key add-key made")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> http.send(models, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
      ServiceJar.assertSigtermEndsItWithZero(gateway, log, 60);
    } finally {
      gateway.destroyForcibly();
    }
  }
}
