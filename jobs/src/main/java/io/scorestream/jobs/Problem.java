package io.scorestream.jobs;

import io.scorestream.proto.v1.Failed;

/**
 * What is wrong with a request: a code from the documented set, the field at fault (its protobuf
 * JSON path, e.g. {@code sampler.snr}; empty when no one field is) and a sentence a person can act
 * on, naming that field.
 */
public record Problem(FailureCode code, String field, String message) {

  public static Problem invalid(String field, String message) {
    return new Problem(FailureCode.INVALID_REQUEST, field, message);
  }

  /** The {@code Failed} payload of a failed event for this problem. */
  public Failed toFailed() {
    return Failed.newBuilder().setCode(code.wire()).setField(field).setReason(message).build();
  }

  /** This problem as an exception, for code that finds it deep in a decoding. */
  public RequestException exception() {
    return new RequestException(this);
  }
}
