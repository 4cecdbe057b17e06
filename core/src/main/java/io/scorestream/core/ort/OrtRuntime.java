package io.scorestream.core.ort;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.scorestream.core.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Loads ONNX score models into ONNX Runtime sessions with one set of options: intra-op threads, and the CUDA
 * execution provider when asked for and present. When CUDA is asked for but missing, models run on the CPU and
 * the runtime says so once through {@code notices}. A service's {@code main} builds one of these.
 */
public final class OrtRuntime {
  private final OrtEnvironment env;
  private final int intraOpThreads;
  private final boolean cuda;
  private final Consumer<String> notices;
  private final AtomicBoolean cudaFallbackSaid = new AtomicBoolean();

  /**
   * @param intraOpThreads threads per model call, 0 for ONNX Runtime's default
   * @param cuda           try the CUDA execution provider
   * @param notices        where one-line operational notices go (e.g. a logger or stderr)
   */
  public OrtRuntime(int intraOpThreads, boolean cuda, Consumer<String> notices) {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intra-op threads must be zero or more, got " + intraOpThreads);
    }
    this.env = OrtEnvironment.getEnvironment();
    this.intraOpThreads = intraOpThreads;
    this.cuda = cuda;
    this.notices = notices;
  }

  /** Loads a model file; the model's metadata names it, else the file name does. */
  public OrtScoreModel load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ModelFormatException("cannot read model file " + file + ": " + e.getMessage(), e);
    }
    String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
    return load(bytes, name);
  }

  /** Loads a model from its bytes; {@code fallbackName} names it when its metadata does not. */
  public OrtScoreModel load(byte[] onnx, String fallbackName) {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      // one model call at a time per session: parallelism comes from intra-op threads
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      if (cuda) {
        try {
          options.addCUDA(0);
        } catch (OrtException | RuntimeException e) {
          if (!cudaFallbackSaid.getAndSet(true)) {
            notices.accept("CUDA execution provider unavailable (" + e.getMessage().lines().findFirst().orElse("")
                + "); running on CPU");
          }
        }
      }
      OrtSession session;
      try {
        session = env.createSession(onnx, options);
      } catch (OrtException e) {
        throw new ModelFormatException("ONNX Runtime cannot load model " + fallbackName + ": "
            + e.getMessage().lines().findFirst().orElse(""), e);
      }
      try {
        return new OrtScoreModel(env, session, fallbackName);
      } catch (RuntimeException e) {
        session.close();
        throw e;
      }
    } catch (OrtException e) {
      throw new ModelFormatException("cannot set up ONNX Runtime for " + fallbackName + ": " + e.getMessage(), e);
    }
  }
}
