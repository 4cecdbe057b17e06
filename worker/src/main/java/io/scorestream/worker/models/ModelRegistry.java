package io.scorestream.worker.models;

import io.scorestream.core.model.GuidedScoreModel;
import io.scorestream.core.model.ModelFormatException;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.ort.OrtScoreModel;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.jobs.RequestChecks;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a worker serves, by name and version, each with one shared ONNX Runtime session and
 * one batch evaluator; beside them the noise-conditional classifiers that guide them (classifier
 * guidance), which share the names' namespace (one name is a model or a classifier, not both) and
 * the version policy below. A guided job runs on a derived version that pairs a model with a
 * classifier and a scale, made when such a job starts and dropped once no running job uses it.
 * Loading happens off the scheduler thread; a model that fails to load is rejected with a logged
 * reason and whatever served before keeps serving. Only the newest {@code keepVersions} versions of
 * a model are served: an older one is retired when a newer one loads (a trainer publishing
 * checkpoints for weeks must not fill the worker's memory), and its session is closed once no
 * running job uses it.
 */
public final class ModelRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

  /**
   * A loaded model version with the evaluator its jobs share; {@code classifier} marks a
   * noise-conditional classifier, which no job samples from directly.
   */
  public record Loaded(
      String name,
      String version,
      ScoreModel model,
      BatchEvaluator evaluator,
      boolean classifier) {}

  /** A model guided by a classifier at a scale: jobs that ask for the same share one evaluator. */
  private record Guide(Loaded model, Loaded classifier, double scale) {}

  private final OrtRuntime runtime;
  private final int maxBatch;
  private final int keepVersions;
  private final Map<String, List<Loaded>> byName = new ConcurrentHashMap<>();
  private final Map<String, List<Loaded>> classifiers = new ConcurrentHashMap<>();

  /** Guided versions of running jobs: only the thread that runs jobs uses them. */
  private final Map<Guide, Loaded> guided = new HashMap<>();

  /** Versions no longer served whose sessions are still open, until no running job uses them. */
  private final List<Loaded> retired = new ArrayList<>();

  /**
   * @param maxBatch the most rows one model call takes
   * @param keepVersions how many versions of each model are served at once, newest first
   */
  public ModelRegistry(OrtRuntime runtime, int maxBatch, int keepVersions) {
    if (keepVersions <= 0) {
      throw new IllegalArgumentException(
          "at least one version of a model must be kept, got " + keepVersions);
    }
    this.runtime = runtime;
    this.maxBatch = maxBatch;
    this.keepVersions = keepVersions;
  }

  /** Loads every {@code *.onnx} file in {@code dir}; returns how many loaded. */
  public int loadDirectory(Path dir) {
    int loaded = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.onnx")) {
      for (Path file : files) {
        if (load(Files.readAllBytes(file), OrtRuntime.fallbackName(file))) {
          loaded++;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read models directory " + dir + ": " + e.getMessage(), e);
    }
    return loaded;
  }

  /**
   * Loads a model from its bytes (a checkpoint) and serves it once it has answered a trial batch
   * with finite scores; false, with a logged reason, if it does not load or does not run. Whatever
   * served before keeps serving either way. Safe to call from a loader thread.
   */
  public boolean load(byte[] onnx, String fallbackName) {
    OrtScoreModel model;
    try {
      model = runtime.loadEither(onnx, fallbackName);
    } catch (ModelFormatException e) {
      LOG.warn("rejected checkpoint {}: {}", fallbackName, e.getMessage());
      return false;
    }
    String name = model.info().name();
    Map<String, List<Loaded>> other = model.classifier() ? byName : classifiers;
    String problem =
        !RequestChecks.MODEL_NAME.matcher(name).matches()
                || !RequestChecks.MODEL_VERSION.matcher(model.info().version()).matches()
            ? "its name and version must match "
                + RequestChecks.MODEL_NAME.pattern()
                + " (they name topics, metrics and "
                + "the models jobs ask for)"
            : other.containsKey(name)
                ? "a "
                    + (model.classifier() ? "score model" : "classifier")
                    + " of the same name "
                    + "is served (models and classifiers share one namespace)"
                : trial(model);
    if (problem != null) {
      model.close();
      LOG.warn("rejected checkpoint {}: {}", model.info(), problem);
      return false;
    }
    add(model, model.classifier());
    LOG.info("serving {}{}", model.classifier() ? "classifier " : "", model.info());
    return true;
  }

  /**
   * Runs a two-row batch at the middle of the time range; null if the scores are finite, else why
   * not.
   */
  private static String trial(ScoreModel model) {
    var info = model.info();
    int dim = info.dimension();
    float[] x = new float[2 * dim];
    Arrays.fill(x, 0.5f);
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

  private void add(ScoreModel model, boolean classifier) {
    Loaded loaded =
        new Loaded(
            model.info().name(),
            model.info().version(),
            model,
            new BatchEvaluator(model, maxBatch),
            classifier);
    List<Loaded> replaced = new ArrayList<>();
    List<Loaded> tooOld = new ArrayList<>();
    (classifier ? classifiers : byName)
        .compute(
            loaded.name(),
            (name, versions) -> {
              List<Loaded> next = versions == null ? new ArrayList<>() : new ArrayList<>(versions);
              next.stream()
                  .filter(v -> v.version().equals(loaded.version()))
                  .forEach(replaced::add);
              next.removeAll(replaced);
              next.add(loaded);
              while (next.size() > keepVersions) {
                tooOld.add(next.remove(0));
              }
              return List.copyOf(next);
            });
    synchronized (retired) {
      retired.addAll(replaced);
      retired.addAll(tooOld);
    }
    tooOld.forEach(
        v ->
            LOG.info(
                "retired {}:{} (serving the newest {} of {})",
                v.name(),
                v.version(),
                keepVersions,
                v.name()));
  }

  /**
   * Closes the sessions of retired versions that no running job uses; called by the thread that
   * runs jobs, which alone knows what they use, between model calls.
   */
  public void closeRetired(Predicate<Loaded> inUse) {
    guided.values().removeIf(g -> !inUse.test(g));
    synchronized (retired) {
      if (retired.isEmpty()) {
        return;
      }
      retired.removeIf(
          v -> {
            if (inUse.test(v)
                || guided.keySet().stream().anyMatch(g -> g.model() == v || g.classifier() == v)) {
              return false;
            }
            v.model().close();
            return true;
          });
    }
  }

  /**
   * The version of {@code model} guided by {@code classifier} at {@code scale}: the one running
   * jobs with the same three share, or a new one. Called by the thread that runs jobs, like {@link
   * #closeRetired}, which drops it once no running job uses it.
   *
   * @throws IllegalArgumentException when the classifier does not fit the model (see {@link
   *     GuidedScoreModel})
   */
  public Loaded guided(Loaded model, Loaded classifier, double scale) {
    return guided.computeIfAbsent(
        new Guide(model, classifier, scale),
        g -> {
          GuidedScoreModel m = new GuidedScoreModel(model.model(), classifier.model(), scale);
          return new Loaded(
              model.name(), model.version(), m, new BatchEvaluator(m, maxBatch), false);
        });
  }

  /** Versions retired but not yet closed, because running jobs still use them. */
  public int retiredOpen() {
    synchronized (retired) {
      return retired.size();
    }
  }

  /** The versions of a model served now, oldest first; empty when none is. */
  public List<String> versions(String name) {
    return versions(byName, name);
  }

  /** The requested version, or the newest loaded (last added) when no version is asked for. */
  public Optional<Loaded> resolve(String name, String version) {
    return resolve(byName, name, version);
  }

  private static Optional<Loaded> resolve(
      Map<String, List<Loaded>> served, String name, String version) {
    List<Loaded> versions = served.get(name);
    if (versions == null || versions.isEmpty()) {
      return Optional.empty();
    }
    if (version == null || version.isEmpty()) {
      return Optional.of(versions.get(versions.size() - 1));
    }
    return versions.stream().filter(v -> v.version().equals(version)).findFirst();
  }

  /** The requested version of a classifier, or its newest when no version is asked for. */
  public Optional<Loaded> resolveClassifier(String name, String version) {
    return resolve(classifiers, name, version);
  }

  /** The versions of a classifier served now, oldest first; empty when none is. */
  public List<String> classifierVersions(String name) {
    return versions(classifiers, name);
  }

  private static List<String> versions(Map<String, List<Loaded>> served, String name) {
    return served.getOrDefault(name, List.of()).stream().map(Loaded::version).toList();
  }

  /** True once {@code name} at {@code version} is served. */
  public boolean serves(String name, String version) {
    return resolve(name, version).isPresent();
  }

  /** Every loaded version of the models and the classifiers. */
  public List<Loaded> all() {
    return Stream.concat(byName.values().stream(), classifiers.values().stream())
        .flatMap(List::stream)
        .toList();
  }

  @Override
  public void close() {
    all().forEach(l -> l.model().close());
    closeRetired(v -> false);
  }
}
