package io.scorestream.gateway.auth;

import io.scorestream.jobs.RequestChecks;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tenants of a gateway and the hashes of their API keys, from a JSON file that never holds a
 * key itself:
 *
 * <pre>{"tenants": [{"name": "acme", "keyHashes": ["sha256:..."], "ratePerSecond": 20, "burst": 40,
 *   "maxActiveJobs": 200, "webhookSecret": "whsec_..."}]}</pre>
 *
 * A key is 32 random bytes, so one SHA-256 is as good as a slow hash: nothing short of the key
 * reproduces it.
 */
public final class Tenants {
  private static final String HASH_PREFIX = "sha256:";
  private static final String KEY_PREFIX = "ss_";
  private final Map<String, Tenant> byKeyHash;
  private final Map<String, Tenant> byName;

  private Tenants(Map<String, Tenant> byKeyHash, Map<String, Tenant> byName) {
    this.byKeyHash = Map.copyOf(byKeyHash);
    this.byName = Map.copyOf(byName);
  }

  /**
   * The tenant whose key this {@code Authorization} header carries ({@code Bearer <key>}), if any.
   */
  public Optional<Tenant> authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String key = authorization.substring(7).trim();
    return key.isEmpty() ? Optional.empty() : Optional.ofNullable(byKeyHash.get(hash(key)));
  }

  /** The tenant of this name, if configured. */
  public Optional<Tenant> named(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The tenants' names. */
  public List<String> names() {
    return byName.keySet().stream().sorted().toList();
  }

  /** {@code sha256:<hex>} of a key, as the file stores it. */
  public static String hash(String key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HASH_PREFIX + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** A new API key: {@code ss_} and 32 random bytes in URL-safe base64. */
  public static String newKey(SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * A new webhook signing secret in the Standard Webhooks form ({@code whsec_} and base64 of 32
   * random bytes).
   */
  public static String newWebhookSecret(SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return "whsec_" + Base64.getEncoder().encodeToString(bytes);
  }

  /** One tenant with one key, for {@code dev} and tests. */
  public static Tenants single(Tenant tenant, String key) {
    return new Tenants(Map.of(hash(key), tenant), Map.of(tenant.name(), tenant));
  }

  /**
   * Reads a tenants file.
   *
   * @throws IllegalArgumentException naming the file and the entry at fault
   */
  public static Tenants load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the tenants file " + file + ": " + e, e);
    }
    return parse(text, file.toString());
  }

  /** Parses a tenants file's text; {@code source} names it in errors. */
  public static Tenants parse(String text, String source) {
    JsonObject root;
    try {
      root = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException(source + " is not a JSON object: " + e.getMessage(), e);
    }
    JsonArray list = root.getJsonArray("tenants");
    if (list == null) {
      throw new IllegalArgumentException(source + " needs a \"tenants\" array");
    }
    Map<String, Tenant> byKeyHash = new HashMap<>();
    Map<String, Tenant> byName = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String where = source + ": tenants[" + i + "]";
      JsonObject entry = list.getValue(i) instanceof JsonObject o ? o : null;
      if (entry == null) {
        throw new IllegalArgumentException(where + " must be an object");
      }
      Tenant tenant = tenant(entry, where);
      if (byName.put(tenant.name(), tenant) != null) {
        throw new IllegalArgumentException(where + ": tenant " + tenant.name() + " is named twice");
      }
      JsonArray hashes = entry.getJsonArray("keyHashes", new JsonArray());
      for (int k = 0; k < hashes.size(); k++) {
        String h = String.valueOf(hashes.getValue(k));
        if (!h.matches("sha256:[0-9a-f]{64}")) {
          throw new IllegalArgumentException(
              where
                  + ".keyHashes["
                  + k
                  + "] must be sha256: and 64 lowercase hex"
                  + " digits (the file stores hashes, never keys: see `scorestream gateway add-key`)");
        }
        if (byKeyHash.put(h, tenant) != null) {
          throw new IllegalArgumentException(
              where + ".keyHashes[" + k + "] is another tenant's key too");
        }
      }
    }
    return new Tenants(byKeyHash, byName);
  }

  private static Tenant tenant(JsonObject entry, String where) {
    try {
      String name = entry.getString("name", "");
      if (!RequestChecks.TENANT.matcher(name).matches()) {
        throw new IllegalArgumentException(
            where + ".name must match " + RequestChecks.TENANT.pattern() + ", got '" + name + "'");
      }
      double rate = entry.getDouble("ratePerSecond", Tenant.DEFAULT_RATE_PER_SECOND);
      int burst = entry.getInteger("burst", Tenant.DEFAULT_BURST);
      int active = entry.getInteger("maxActiveJobs", Tenant.DEFAULT_MAX_ACTIVE_JOBS);
      if (!(rate > 0) || burst < 1 || active < 1) {
        throw new IllegalArgumentException(
            where
                + ": ratePerSecond must be positive and burst and maxActiveJobs"
                + " at least 1, got "
                + rate
                + ", "
                + burst
                + ", "
                + active);
      }
      String secret = entry.getString("webhookSecret", "");
      if (!secret.isEmpty()) {
        try {
          io.scorestream.gateway.webhooks.WebhookSignature.key(secret);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ".webhookSecret: " + e.getMessage(), e);
        }
      }
      return new Tenant(name, rate, burst, active, secret);
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(
          where + ": a field has the wrong type (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Adds a key for {@code tenant} to the file (creating the file, and the tenant with default
   * limits and a webhook secret, when missing) and returns the key, which is stored nowhere: its
   * holder must keep it.
   */
  public static String addKey(Path file, String tenant, SecureRandom random) throws IOException {
    if (!RequestChecks.TENANT.matcher(tenant).matches()) {
      throw new IllegalArgumentException(
          "tenant must match " + RequestChecks.TENANT.pattern() + ", got '" + tenant + "'");
    }
    JsonObject root =
        Files.exists(file) ? new JsonObject(Files.readString(file)) : new JsonObject();
    if (root.isEmpty()) {
      root.put("tenants", new JsonArray());
    }
    parse(root.encode(), file.toString()); // a file the gateway would refuse is not written to
    JsonArray list = root.getJsonArray("tenants");
    JsonObject entry =
        list.stream()
            .map(JsonObject.class::cast)
            .filter(e -> tenant.equals(e.getString("name")))
            .findFirst()
            .orElse(null);
    if (entry == null) {
      entry =
          new JsonObject()
              .put("name", tenant)
              .put("ratePerSecond", Tenant.DEFAULT_RATE_PER_SECOND)
              .put("burst", Tenant.DEFAULT_BURST)
              .put("maxActiveJobs", Tenant.DEFAULT_MAX_ACTIVE_JOBS)
              .put("webhookSecret", newWebhookSecret(random));
      list.add(entry);
    }
    if (!entry.containsKey("keyHashes")) {
      entry.put("keyHashes", new JsonArray());
    }
    String key = newKey(random);
    entry.getJsonArray("keyHashes").add(hash(key));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, root.encodePrettily() + "\n");
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return key;
  }
}
