package io.scorestream.jobs;

import com.google.protobuf.ByteString;
import io.scorestream.proto.v1.GenerateRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes two requests under one job id the same job: the SHA-256 of the request's bytes with
 * its submission time cleared (a client that retries a send stamps a new time, and is still asking
 * for the same job). The tenant is part of the request, so another tenant's request never has the
 * same digest.
 */
public final class RequestDigest {
  private RequestDigest() {}

  /** The digest of a request. */
  public static ByteString of(GenerateRequest request) {
    return ByteString.copyFrom(
        sha256(request.toBuilder().clearSubmittedAt().build().toByteArray()));
  }

  /** SHA-256 of some bytes. */
  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }

  /** Hex SHA-256 of some bytes. */
  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256(bytes));
  }
}
