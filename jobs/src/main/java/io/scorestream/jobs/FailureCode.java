package io.scorestream.jobs;

import java.util.Arrays;
import java.util.Optional;

/**
 * Why a job failed, as {@code Failed.code} carries it: one documented set (docs/jobs.md) shared by
 * the worker's failed events, the gateway's error bodies and the metrics. The first five are
 * refusals at intake, before the job waited for anything; the rest happen while it runs.
 */
public enum FailureCode {
  /** A field of the request is impossible or missing; {@code Failed.field} names it. */
  INVALID_REQUEST("invalid_request"),
  /** The record is not a {@code GenerateRequest} at all. */
  UNPARSEABLE("unparseable"),
  /**
   * The request, or its result, is over a size limit: samples per job, request bytes, result bytes.
   */
  TOO_LARGE("too_large"),
  /** No worker in the fleet serves the model, or not the version asked for. */
  UNKNOWN_MODEL("unknown_model"),
  /** The job id already names a different request (another tenant's, or other settings). */
  JOB_ID_TAKEN("job_id_taken"),
  /** ONNX Runtime refused or failed the model call that the job shared. */
  MODEL_ERROR("model_error"),
  /** The samples became NaN or infinite (a model or settings that diverge). */
  NON_FINITE("non_finite"),
  /** A fault of ScoreStream's own; the reason says what. */
  INTERNAL("internal");

  private final String wire;

  FailureCode(String wire) {
    this.wire = wire;
  }

  /** The code as {@code Failed.code} and the metrics label carry it. */
  public String wire() {
    return wire;
  }

  /** The code a wire string names, if it is one of the set. */
  public static Optional<FailureCode> of(String wire) {
    return Arrays.stream(values()).filter(c -> c.wire.equals(wire)).findFirst();
  }
}
