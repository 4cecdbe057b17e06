package io.scorestream.worker.models;

import io.scorestream.core.model.ModelFormatException;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The models a worker serves, by name and version, each with one shared ONNX Runtime session and one batch
 * evaluator. Loading happens off the scheduler thread; a model that fails to load is rejected with a logged
 * reason and whatever served before keeps serving.
 */
public final class ModelRegistry implements AutoCloseable {
  /** A loaded model version with the evaluator its jobs share. */
  public record Loaded(String name, String version, ScoreModel model, BatchEvaluator evaluator) {}

  private final OrtRuntime runtime;
  private final int maxBatch;
  private final Consumer<String> log;
  private final Map<String, List<Loaded>> byName = new ConcurrentHashMap<>();

  public ModelRegistry(OrtRuntime runtime, int maxBatch, Consumer<String> log) {
    this.runtime = runtime;
    this.maxBatch = maxBatch;
    this.log = log;
  }

  /** Loads every {@code *.onnx} file in {@code dir}; returns how many loaded. */
  public int loadDirectory(Path dir) {
    int loaded = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.onnx")) {
      for (Path file : files) {
        if (load(Files.readAllBytes(file), file.getFileName().toString().replaceFirst("\\.onnx$", ""))) {
          loaded++;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read models directory " + dir + ": " + e.getMessage(), e);
    }
    return loaded;
  }

  /**
   * Loads a model from its bytes (a checkpoint) and serves it once it has answered a trial batch with finite
   * scores; false, with a logged reason, if it does not load or does not run. Whatever served before keeps
   * serving either way. Safe to call from a loader thread.
   */
  public boolean load(byte[] onnx, String fallbackName) {
    ScoreModel model;
    try {
      model = runtime.load(onnx, fallbackName);
    } catch (ModelFormatException e) {
      log.accept("rejected checkpoint " + fallbackName + ": " + e.getMessage());
      return false;
    }
    String problem = trial(model);
    if (problem != null) {
      model.close();
      log.accept("rejected checkpoint " + model.info() + ": " + problem);
      return false;
    }
    add(model);
    log.accept("serving " + model.info());
    return true;
  }

  /** Runs a two-row batch at the middle of the time range; null if the scores are finite, else why not. */
  private static String trial(ScoreModel model) {
    var info = model.info();
    int dim = info.dimension();
    float[] x = new float[2 * dim];
    java.util.Arrays.fill(x, 0.5f);
    float mid = (float) info.modelTime((info.eps() + info.sde().horizon()) / 2);
    float[] out = new float[2 * dim];
    try {
      model.score(x, new float[] {mid, mid}, info.numClasses() > 0 ? new long[2] : null, 2, out);
    } catch (RuntimeException e) {
      return "it fails to run: " + e.getMessage();
    }
    for (float v : out) {
      if (!Float.isFinite(v)) {
        return "it returns " + v + " on a trial batch";
      }
    }
    return null;
  }

  private void add(ScoreModel model) {
    Loaded loaded = new Loaded(model.info().name(), model.info().version(), model,
        new BatchEvaluator(model, maxBatch));
    byName.compute(loaded.name(), (name, versions) -> {
      List<Loaded> next = versions == null ? new ArrayList<>() : new ArrayList<>(versions);
      next.removeIf(v -> v.version().equals(loaded.version()));
      next.add(loaded);
      return List.copyOf(next);
    });
  }

  /** The requested version, or the newest loaded (last added) when no version is asked for. */
  public Optional<Loaded> resolve(String name, String version) {
    List<Loaded> versions = byName.get(name);
    if (versions == null || versions.isEmpty()) {
      return Optional.empty();
    }
    if (version == null || version.isEmpty()) {
      return Optional.of(versions.get(versions.size() - 1));
    }
    return versions.stream().filter(v -> v.version().equals(version)).findFirst();
  }

  /** True once {@code name} at {@code version} is served. */
  public boolean serves(String name, String version) {
    return resolve(name, version).isPresent();
  }

  /** Every loaded model version. */
  public List<Loaded> all() {
    return byName.values().stream().flatMap(List::stream).toList();
  }

  @Override
  public void close() {
    all().forEach(l -> l.model().close());
  }
}
