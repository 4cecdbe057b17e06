package io.scorestream.core.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.scorestream.core.onnx.ProbeGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds out whether ONNX Runtime can run models on a CUDA device, and if not, why: it registers the
 * CUDA execution provider with the CPU fallback switched off, builds a session of a small probe
 * graph (a 4×4 matrix product and a bias) and checks its output against the same arithmetic in
 * Java. A failure is put in the operator's terms: a build without CUDA, CUDA libraries missing from
 * the library path, no driver, or ONNX Runtime's own message.
 */
final class CudaProbe {
  /**
   * What ONNX Runtime 1.19 to 1.26's CUDA execution provider loads (its {@code NEEDED} entries,
   * docker/test/container-test.sh checks them against the jar): CUDA 12 and cuDNN 9.
   */
  static final List<String> CUDA_LIBRARIES =
      List.of(
          "libcudart.so.12",
          "libcublas.so.12",
          "libcublasLt.so.12",
          "libcufft.so.11",
          "libcurand.so.10",
          "libcudnn.so.9");

  /** The NVIDIA driver's library, which the CUDA runtime opens. */
  static final String DRIVER_LIBRARY = "libcuda.so.1";

  private static final int WIDTH = 4;

  private final List<Path> libraryDirs;

  /**
   * @param libraryDirs where the dynamic loader looks for libraries
   */
  CudaProbe(List<Path> libraryDirs) {
    this.libraryDirs = List.copyOf(libraryDirs);
  }

  /** A probe that looks where this process's dynamic loader does. */
  static CudaProbe ofThisProcess() {
    return new CudaProbe(loaderDirs(System.getenv("LD_LIBRARY_PATH"), Path.of("/etc")));
  }

  /** Empty when CUDA device {@code index} runs the probe graph right, else why not. */
  Optional<String> unavailable(OrtEnvironment env, int index) {
    if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      return Optional.of(
          "this build carries ONNX Runtime's CPU artifact, which has no CUDA execution provider"
              + " (build the worker with -Pgpu, or run the scorestream-worker-gpu image)");
    }
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      // a node CUDA cannot run must fail the probe, not run quietly on the CPU
      options.addConfigEntry("session.disable_cpu_ep_fallback", "1");
      try {
        options.addCUDA(index);
      } catch (OrtException | RuntimeException e) {
        return Optional.of(registrationFailure(e));
      }
      return runProbe(env, options, index);
    } catch (OrtException e) {
      return Optional.of("cannot set up ONNX Runtime's session options: " + firstLine(e));
    }
  }

  private String registrationFailure(Exception e) {
    List<String> missing = missing(CUDA_LIBRARIES);
    if (!missing.isEmpty()) {
      return "CUDA libraries not found on the library path: "
          + String.join(", ", missing)
          + " (ONNX Runtime's CUDA provider needs CUDA 12 and cuDNN 9; the worker-gpu image has"
          + " them)";
    }
    return "ONNX Runtime could not register the CUDA execution provider: " + firstLine(e);
  }

  /**
   * Runs the probe graph in a session of {@code options} and checks its output: empty when right,
   * else why not (device {@code index} named).
   */
  Optional<String> runProbe(OrtEnvironment env, OrtSession.SessionOptions options, int index) {
    float[] w = new float[WIDTH * WIDTH];
    float[] x = new float[2 * WIDTH];
    for (int i = 0; i < w.length; i++) {
      w[i] = (i % 5) - 2f;
    }
    for (int i = 0; i < x.length; i++) {
      x[i] = 0.5f * i - 1f;
    }
    try (OrtSession session = env.createSession(ProbeGraph.matMulPlusOne(w, WIDTH), options);
        OnnxTensor input = OnnxTensor.createTensor(env, new float[][] {row(x, 0), row(x, 1)});
        OrtSession.Result result = session.run(Map.of("x", input))) {
      float[][] y = (float[][]) result.get(0).getValue();
      for (int r = 0; r < 2; r++) {
        for (int c = 0; c < WIDTH; c++) {
          double expected = 1;
          for (int k = 0; k < WIDTH; k++) {
            expected += x[r * WIDTH + k] * w[k * WIDTH + c];
          }
          if (Math.abs(y[r][c] - expected) > 1e-3 * (1 + Math.abs(expected))) {
            return Optional.of(
                "CUDA device "
                    + index
                    + " computed a probe product wrong: "
                    + y[r][c]
                    + " for "
                    + expected);
          }
        }
      }
      return Optional.empty();
    } catch (OrtException | RuntimeException e) {
      String reason = "CUDA device " + index + " cannot run a probe model: " + firstLine(e);
      return Optional.of(
          missing(List.of(DRIVER_LIBRARY)).isEmpty()
              ? reason
              : reason + " (no NVIDIA driver: " + DRIVER_LIBRARY + " not found)");
    }
  }

  private static float[] row(float[] x, int r) {
    float[] out = new float[WIDTH];
    System.arraycopy(x, r * WIDTH, out, 0, WIDTH);
    return out;
  }

  /** Those of {@code names} found in none of the library directories. */
  List<String> missing(List<String> names) {
    return names.stream()
        .filter(n -> libraryDirs.stream().noneMatch(d -> Files.exists(d.resolve(n))))
        .toList();
  }

  /**
   * The directories the dynamic loader searches: {@code LD_LIBRARY_PATH}'s, those {@code
   * ld.so.conf} names (with its includes), then the system's own.
   */
  static List<Path> loaderDirs(String ldLibraryPath, Path etc) {
    List<Path> dirs = new ArrayList<>();
    if (ldLibraryPath != null) {
      for (String d : ldLibraryPath.split(":")) {
        if (!d.isBlank()) {
          dirs.add(Path.of(d));
        }
      }
    }
    readConf(etc.resolve("ld.so.conf"), dirs, 0);
    for (String d :
        List.of(
            "/lib/x86_64-linux-gnu",
            "/usr/lib/x86_64-linux-gnu",
            "/lib64",
            "/usr/lib64",
            "/lib",
            "/usr/lib")) {
      dirs.add(Path.of(d));
    }
    return dirs;
  }

  private static void readConf(Path conf, List<Path> dirs, int depth) {
    if (depth > 4 || !Files.isRegularFile(conf)) {
      return;
    }
    try {
      for (String raw : Files.readAllLines(conf)) {
        String line = raw.replaceFirst("#.*", "").trim();
        if (line.startsWith("include ")) {
          included(conf.getParent(), line.substring("include ".length()).trim())
              .forEach(f -> readConf(f, dirs, depth + 1));
        } else if (!line.isEmpty()) {
          dirs.add(Path.of(line));
        }
      }
    } catch (IOException | RuntimeException e) {
      // an unreadable loader configuration only makes the diagnosis vaguer
    }
  }

  /** The files an {@code include} line's glob (a directory, then a file pattern) names. */
  private static List<Path> included(Path base, String glob) {
    Path pattern = base.resolve(glob);
    Path dir = pattern.getParent();
    String files = pattern.getFileName().toString();
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    var matcher = dir.getFileSystem().getPathMatcher("glob:" + files);
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(p -> matcher.matches(p.getFileName())).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String firstLine(Exception e) {
    return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
  }
}
