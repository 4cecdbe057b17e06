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
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads ONNX score models into ONNX Runtime sessions with one set of options: intra-op threads, and
 * the CUDA execution provider when asked for and present. When CUDA is asked for but missing,
 * models run on the CPU and the runtime says so once through {@code notices}. A service's {@code
 * main} builds one of these.
 */
public final class OrtRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);

  /** The largest model file: a protobuf message, which an ONNX file is, holds at most 2 GiB. */
  private static final long MAX_MODEL_BYTES = Integer.MAX_VALUE - 8;

  private final OrtEnvironment env;
  private final int intraOpThreads;
  private final boolean cuda;
  private final AtomicBoolean cudaFallbackSaid = new AtomicBoolean();

  /**
   * @param intraOpThreads threads per model call, 0 for ONNX Runtime's default
   * @param cuda try the CUDA execution provider (a fallback to the CPU is logged once, at WARN)
   */
  public OrtRuntime(int intraOpThreads, boolean cuda) {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException(
          "intra-op threads must be zero or more, got " + intraOpThreads);
    }
    this.env = OrtEnvironment.getEnvironment();
    this.intraOpThreads = intraOpThreads;
    this.cuda = cuda;
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
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    OrtSession session = null;
    try {
      // one model call at a time per session: parallelism comes from intra-op threads
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      if (cuda) {
        addCuda(options);
      }
      try {
        session = env.createSession(onnx, options);
      } catch (OrtException e) {
        throw new ModelFormatException(
            "ONNX Runtime cannot load model "
                + fallbackName
                + ": "
                + e.getMessage().lines().findFirst().orElse(""),
            e);
      }
      return new OrtScoreModel(env, session, options, fallbackName, classifier);
    } catch (OrtException e) {
      close(session, options);
      throw new ModelFormatException(
          "cannot set up ONNX Runtime for " + fallbackName + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close(session, options);
      throw e;
    }
  }

  private void addCuda(OrtSession.SessionOptions options) {
    try {
      options.addCUDA(0);
    } catch (OrtException | RuntimeException e) {
      if (!cudaFallbackSaid.getAndSet(true)) {
        LOG.warn(
            "CUDA execution provider unavailable ({}); running on CPU",
            String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      }
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
