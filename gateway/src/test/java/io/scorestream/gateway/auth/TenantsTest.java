package io.scorestream.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantsTest {
  @TempDir Path dir;

  @Test
  void anAddedKeyAuthenticatesItsTenantAndTheFileHoldsOnlyItsHash() throws Exception {
    Path file = dir.resolve("tenants.json");
    String key = Tenants.addKey(file, "acme", new SecureRandom());
    String second = Tenants.addKey(file, "acme", new SecureRandom());
    String other = Tenants.addKey(file, "globex", new SecureRandom());
    assertFalse(Files.readString(file).contains(key), "the file never holds a key");
    Tenants tenants = Tenants.load(file);
    assertEquals("acme", tenants.authenticate("Bearer " + key).orElseThrow().name());
    assertEquals("acme", tenants.authenticate("bearer " + second).orElseThrow().name());
    assertEquals("globex", tenants.authenticate("Bearer " + other).orElseThrow().name());
    assertTrue(tenants.authenticate("Bearer " + key + "x").isEmpty());
    assertTrue(tenants.authenticate(key).isEmpty(), "only the Bearer scheme");
    assertTrue(tenants.authenticate(null).isEmpty());
    assertTrue(tenants.named("acme").orElseThrow().webhookSecret().startsWith("whsec_"));
    assertNotEquals(key, second);
  }

  @Test
  void aBadTenantsFileIsRefusedNamingTheEntryAtFault() {
    IllegalArgumentException notJson =
        assertThrows(
            IllegalArgumentException.class, () -> Tenants.parse("tenants: acme", "t.json"));
    assertTrue(notJson.getMessage().startsWith("t.json"), notJson.getMessage());
    IllegalArgumentException plainKey =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Tenants.parse(
                    "{\"tenants\": [{\"name\": \"a\", \"keyHashes\": [\"ss_plain\"]}]}", "t.json"));
    assertTrue(plainKey.getMessage().contains("tenants[0].keyHashes[0]"), plainKey.getMessage());
    String hash = Tenants.hash("k");
    IllegalArgumentException shared =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Tenants.parse(
                    "{\"tenants\": [{\"name\": \"a\", \"keyHashes\": [\""
                        + hash
                        + "\"]},"
                        + " {\"name\": \"b\", \"keyHashes\": [\""
                        + hash
                        + "\"]}]}",
                    "t.json"));
    assertTrue(shared.getMessage().contains("tenants[1]"), shared.getMessage());
    IllegalArgumentException badName =
        assertThrows(
            IllegalArgumentException.class,
            () -> Tenants.parse("{\"tenants\": [{\"name\": \"a b\"}]}", "t.json"));
    assertTrue(badName.getMessage().contains("tenants[0].name"), badName.getMessage());
    IllegalArgumentException badRate =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Tenants.parse(
                    "{\"tenants\": [{\"name\": \"a\", \"ratePerSecond\": 0}]}", "t.json"));
    assertTrue(badRate.getMessage().contains("ratePerSecond"), badRate.getMessage());
  }
}
