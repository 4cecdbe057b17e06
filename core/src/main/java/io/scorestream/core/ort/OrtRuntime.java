package io.scorestream.core.ort;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.scorestream.core.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads ONNX score models into ONNX Runtime sessions with one set of options: intra-op threads, and
 * the device the models run on. Asked for a CUDA device, it first runs a probe model there ({@link
 * CudaProbe}); when that fails, every model runs on the CPU and the runtime says so once, at WARN,
 * with the reason, which {@link #fallback()} keeps for heartbeats and metrics. A service's {@code
 * main} builds one of these.
 */
public final class OrtRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);

  /** The largest model file: a protobuf message, which an ONNX file is, holds at most 2 GiB. */
  private static final long MAX_MODEL_BYTES = Integer.MAX_VALUE - 8;

  private final OrtEnvironment env;
  private final int intraOpThreads;
  private final Device requested;
  private final Device device;
  private final Optional<String> fallback;

  /**
   * A runtime on the CPU with {@code intraOpThreads} threads per call (0: ONNX Runtime's choice).
   */
  public OrtRuntime(int intraOpThreads) {
    this(intraOpThreads, Device.CPU);
  }

  /**
   * @param intraOpThreads threads per model call, 0 for ONNX Runtime's default
   * @param requested the device to run models on; a CUDA device that fails its probe leaves them on
   *     the CPU, said once at WARN
   */
  public OrtRuntime(int intraOpThreads, Device requested) {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException(
          "intra-op threads must be zero or more, got " + intraOpThreads);
    }
    this.env = OrtEnvironment.getEnvironment();
    this.intraOpThreads = intraOpThreads;
    this.requested = requested;
    this.fallback =
        requested.isCuda()
            ? CudaProbe.ofThisProcess().unavailable(env, requested.cudaIndex())
            : Optional.empty();
    this.device = fallback.isPresent() ? Device.CPU : requested;
    if (fallback.isPresent()) {
      LOG.warn("asked for {}, running models on the CPU: {}", requested, fallback.get());
    } else if (requested.isCuda()) {
      LOG.info("running models on {} (ONNX Runtime {})", requested, env.getVersion());
    }
  }

  /** The device asked for. */
  public Device requested() {
    return requested;
  }

  /** The device models run on: the one asked for, or the CPU after a fallback. */
  public Device device() {
    return device;
  }

  /** Why the models run on the CPU though a CUDA device was asked for; empty when they do not. */
  public Optional<String> fallback() {
    return fallback;
  }

  /** Loads a model file; the model's metadata names it, else the file name does. */
  public OrtScoreModel load(Path file) {
    return load(read(file), fallbackName(file));
  }

  /**
   * The name a model file gives a model whose metadata names none: the file's name without {@code
   * .onnx}.
   */
  public static String fallbackName(Path file) {
    return file.getFileName().toString().replaceFirst("\\.onnx$", "");
  }

  /**
   * A model file's bytes, for {@code load(byte[], String)} and its like, or for sending on.
   *
   * @throws ModelFormatException saying why the file cannot be read (missing, unreadable, a
   *     directory, over 2 GiB)
   */
  public static byte[] read(Path file) {
    try {
      if (Files.size(file) > MAX_MODEL_BYTES) {
        throw new ModelFormatException(
            "cannot read model file "
                + file
                + ": "
                + Files.size(file)
                + " bytes, over the 2 GiB an ONNX protobuf can hold");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ModelFormatException("cannot read model file " + file + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new ModelFormatException("cannot read model file " + file + ": permission denied", e);
    } catch (IOException e) {
      throw new ModelFormatException(
          "cannot read model file "
              + file
              + ": "
              + (Files.isDirectory(file)
                  ? "it is a directory"
                  : e.getClass().getSimpleName() + " " + e.getMessage()),
          e);
    }
  }

  /**
   * Loads a model from its bytes; {@code fallbackName} names it when its metadata does not. The
   * session's options stay open as long as the session (ONNX Runtime requires it) and close with
   * the model.
   */
  public OrtScoreModel load(byte[] onnx, String fallbackName) {
    return open(onnx, fallbackName, false);
  }

  /**
   * Loads a noise-conditional classifier (metadata {@code
   * scorestream.kind=noise-conditional-classifier}, output {@code grad}) as the field {@code grad_x
   * log p_t(y | x)}, for classifier guidance.
   */
  public OrtScoreModel loadClassifier(Path file) {
    return open(read(file), fallbackName(file), true);
  }

  /** As {@link #loadClassifier(Path)}, from the file's bytes. */
  public OrtScoreModel loadClassifier(byte[] onnx, String fallbackName) {
    return open(onnx, fallbackName, true);
  }

  /**
   * Loads a score model or a noise-conditional classifier, whichever the file's metadata says it is
   * ({@link OrtScoreModel#classifier()} tells which): for a server that serves both from one
   * directory.
   */
  public OrtScoreModel loadEither(byte[] onnx, String fallbackName) {
    return open(onnx, fallbackName, null);
  }

  private OrtScoreModel open(byte[] onnx, String fallbackName, Boolean classifier) {
    if (device.isCuda()) {
      try {
        return open(onnx, fallbackName, classifier, device);
      } catch (ModelFormatException onCuda) {
        // the probe ran, so CUDA works: a model CUDA cannot take may still run on the CPU; one
        // the CPU cannot take either fails with the CPU's reason
        OrtScoreModel model = open(onnx, fallbackName, classifier, Device.CPU);
        LOG.warn(
            "model {} cannot run on {} ({}); it runs on the CPU",
            model.info().name(),
            device,
            onCuda.getMessage());
        return model;
      }
    }
    return open(onnx, fallbackName, classifier, Device.CPU);
  }

  private OrtScoreModel open(byte[] onnx, String fallbackName, Boolean classifier, Device on) {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    OrtSession session = null;
    try {
      // one model call at a time per session: parallelism comes from intra-op threads
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      if (on.isCuda()) {
        options.addCUDA(on.cudaIndex());
      }
      try {
        session = env.createSession(onnx, options);
      } catch (OrtException e) {
        throw new ModelFormatException(
            "ONNX Runtime cannot load model "
                + fallbackName
                + (on.isCuda() ? " on " + on : "")
                + ": "
                + e.getMessage().lines().findFirst().orElse(""),
            e);
      }
      return new OrtScoreModel(env, session, options, fallbackName, classifier, on);
    } catch (OrtException e) {
      close(session, options);
      throw new ModelFormatException(
          "cannot set up ONNX Runtime for " + fallbackName + " on " + on + ": " + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      close(session, options);
      throw e;
    }
  }

  private static void close(OrtSession session, OrtSession.SessionOptions options) {
    try {
      if (session != null) {
        session.close();
      }
    } catch (OrtException ignored) {
      // the load failed already; that is the error to report
    } finally {
      options.close();
    }
  }
}
