package io.scorestream.gateway.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook deliveries after the Standard Webhooks convention: {@code webhook-signature:
 * v1,<base64 of HMAC-SHA256(secret, id + "." + timestamp + "." + body)>}, where the secret is the
 * base64 part of the tenant's {@code whsec_...} secret and the timestamp is in whole seconds since
 * the epoch.
 */
public final class WebhookSignature {
  private static final String PREFIX = "whsec_";

  private WebhookSignature() {}

  /** The {@code webhook-signature} header value. */
  public static String sign(String secret, String id, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
      byte[] signature =
          mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  /** The secret's key bytes; refuses a secret that is not {@code whsec_} and base64. */
  public static byte[] key(String secret) {
    if (secret == null || !secret.startsWith(PREFIX)) {
      throw new IllegalArgumentException("a webhook secret starts with " + PREFIX);
    }
    try {
      byte[] key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
      if (key.length < 16) {
        throw new IllegalArgumentException(
            "a webhook secret needs at least 16 bytes, this one has " + key.length);
      }
      return key;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "a webhook secret is whsec_ then base64: " + e.getMessage(), e);
    }
  }
}
