package io.scorestream.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deployment's connection settings reach every client; the services' own settings win over them.
 */
class KafkaClientsTest {
  @TempDir Path dir;

  @Test
  void propertiesFileSettingsReachEveryClientAndTheServicesOwnWin() throws Exception {
    Path file = dir.resolve("kafka.properties");
    Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nacks=0\n");
    KafkaClients kafka = KafkaClients.of("broker:9093", file);
    Map<String, Object> config = kafka.config(Map.of("acks", "all"));
    assertEquals("SASL_SSL", config.get("security.protocol"));
    assertEquals("SCRAM-SHA-512", config.get("sasl.mechanism"));
    assertEquals("broker:9093", config.get("bootstrap.servers"));
    assertEquals("all", config.get("acks"), "a service's own setting wins");
  }

  @Test
  void badPropertiesFilesAreNamed() throws Exception {
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> KafkaClients.of("b:9092", dir.resolve("absent.properties")));
    assertTrue(missing.getMessage().contains("absent.properties"), missing.getMessage());
    Path withServers = dir.resolve("servers.properties");
    Files.writeString(withServers, "bootstrap.servers=elsewhere:9092\n");
    IllegalArgumentException servers =
        assertThrows(IllegalArgumentException.class, () -> KafkaClients.of("b:9092", withServers));
    assertTrue(servers.getMessage().contains("--bootstrap-servers"), servers.getMessage());
    assertThrows(IllegalArgumentException.class, () -> KafkaClients.of(" ", null));
  }
}
