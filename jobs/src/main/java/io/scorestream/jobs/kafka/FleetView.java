package io.scorestream.jobs.kafka;

import io.scorestream.jobs.KnownValues;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.jobs.Texts;
import io.scorestream.jobs.Times;
import io.scorestream.proto.v1.ModelVersion;
import io.scorestream.proto.v1.WorkerHeartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet as its heartbeats on {@code scorestream.workers} tell it: the latest beat of every
 * worker, read from the topic's beginning. A worker counts as part of the fleet while its last beat
 * is younger than the liveness window given to the queries. Routing asks it which models some
 * worker serves; clients ask it what a model is.
 */
public final class FleetView implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FleetView.class);

  /**
   * How recent a heartbeat must be for its worker to count as serving its models: long enough to
   * cover a worker that restarts (its jobs wait in the pool meanwhile), short enough that a model
   * gone from the fleet is refused.
   */
  public static final Duration LIVENESS = Duration.ofSeconds(60);

  private final TopicReader<WorkerHeartbeat> reader;
  private final Map<String, WorkerHeartbeat> beats = new ConcurrentHashMap<>();

  public FleetView(KafkaClients kafka, TopicNames names) {
    this.reader =
        new TopicReader<>(
            kafka,
            names.workers(),
            WorkerHeartbeat::parseFrom,
            new TopicReader.Handler<>() {
              @Override
              public void value(ConsumerRecord<String, byte[]> record, WorkerHeartbeat beat) {
                beated(beat);
              }

              @Override
              public void tombstone(ConsumerRecord<String, byte[]> record) {
                beats.remove(record.key()); // a worker that left for good
              }
            },
            Duration.ofMillis(50),
            LOG);
  }

  @Override
  public void run() {
    reader.run();
  }

  /**
   * The fleet as the heartbeats written so far tell it: reads the topic to its end (within {@code
   * timeout}) and stops. For a client that asks once, before it submits.
   *
   * @throws IllegalStateException when the topic cannot be read to its end in time
   */
  public static FleetView snapshot(KafkaClients kafka, TopicNames names, Duration timeout) {
    FleetView view = new FleetView(kafka, names);
    Thread reading = new Thread(view, "fleet-snapshot");
    reading.setDaemon(true);
    reading.start();
    try (var consumer = WholeTopic.unassigned(kafka)) {
      Map<TopicPartition, Long> end = consumer.endOffsets(view.partitions(), timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!view.hasRead(end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read the fleet's heartbeats within " + timeout);
        }
        Thread.sleep(20);
      }
      return view;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the fleet's heartbeats", e);
    } finally {
      view.close();
    }
  }

  /** The longest worker id, host, metadata key or sde a heartbeat's reader keeps. */
  static final int MAX_NAME_CHARS = 256;

  /** The longest metadata value, and the most entries and shape dimensions, of a sane model. */
  static final int MAX_VALUE_CHARS = 4096;

  static final int MAX_ENTRIES = 64;

  /**
   * True for a model a worker could serve: names a job can ask for, a description of a model's
   * size.
   */
  private static boolean sane(ModelVersion m) {
    return RequestChecks.MODEL_NAME.matcher(m.getName()).matches()
        && RequestChecks.MODEL_VERSION.matcher(m.getVersion()).matches()
        && m.getSde().length() <= MAX_NAME_CHARS
        && m.getKind().length() <= MAX_NAME_CHARS
        && m.getDataShapeCount() <= MAX_ENTRIES
        && m.getMetadataCount() <= MAX_ENTRIES
        && m.getMetadataMap().entrySet().stream()
            .allMatch(
                e ->
                    e.getKey().length() <= MAX_NAME_CHARS
                        && e.getValue().length() <= MAX_VALUE_CHARS);
  }

  /** Takes a heartbeat into the view: read from the topic, or this worker's own as it sends it. */
  public void beated(WorkerHeartbeat beat) {
    if (beat.getWorkerId().isEmpty() || KnownValues.problem(beat).isPresent()) {
      // no worker, or values this build cannot carry (a time out of range): it tells nothing
      return;
    }
    if (!beat.getModelsList().stream().allMatch(FleetView::sane)
        || beat.getWorkerId().length() > MAX_NAME_CHARS
        || beat.getHost().length() > MAX_NAME_CHARS
        || beat.getDevice().length() > MAX_NAME_CHARS
        || beat.getDeviceFallback().length() > MAX_VALUE_CHARS) {
      // a model whose name or version no job can ask for (and no pool topic can carry), or whose
      // description is larger than any model's, is not part of the fleet; names of kilobytes are
      // cut
      beat =
          beat.toBuilder()
              .setWorkerId(Texts.cut(beat.getWorkerId(), MAX_NAME_CHARS, ""))
              .setHost(Texts.cut(beat.getHost(), MAX_NAME_CHARS, ""))
              .setDevice(Texts.cut(beat.getDevice(), MAX_NAME_CHARS, ""))
              .setDeviceFallback(Texts.cut(beat.getDeviceFallback(), MAX_VALUE_CHARS, ""))
              .clearModels()
              .addAllModels(beat.getModelsList().stream().filter(FleetView::sane).toList())
              .build();
    }
    beats.merge(
        beat.getWorkerId(),
        beat,
        (held, arriving) -> time(arriving).isBefore(time(held)) ? held : arriving);
  }

  private static Instant time(WorkerHeartbeat beat) {
    return Times.instant(beat.getTime());
  }

  /** The latest beats of the workers that beat within {@code liveness} of {@code now}. */
  public List<WorkerHeartbeat> live(Instant now, Duration liveness) {
    Instant since = now.minus(liveness);
    return beats.values().stream().filter(b -> !time(b).isBefore(since)).toList();
  }

  /** The value of {@code ModelVersion.kind} for a noise-conditional classifier. */
  public static final String CLASSIFIER = "classifier";

  /** The value of {@code ModelVersion.kind} for a score model (older workers leave it empty). */
  public static final String SCORE = "score";

  /** True when a heartbeat's entry is a classifier, not a score model. */
  public static boolean isClassifier(ModelVersion m) {
    return CLASSIFIER.equals(m.getKind());
  }

  /**
   * True when a worker that beat within {@code liveness} serves some version of score model {@code
   * model}.
   */
  public boolean served(String model, Instant now, Duration liveness) {
    return live(now, liveness).stream().anyMatch(b -> serves(b, model, false));
  }

  /**
   * True when one worker that beat within {@code liveness} serves both {@code model} and {@code
   * classifier}.
   */
  public boolean servedTogether(String model, String classifier, Instant now, Duration liveness) {
    return live(now, liveness).stream()
        .anyMatch(b -> serves(b, model, false) && serves(b, classifier, true));
  }

  private static boolean serves(WorkerHeartbeat beat, String name, boolean classifier) {
    return beat.getModelsList().stream()
        .anyMatch(m -> m.getName().equals(name) && isClassifier(m) == classifier);
  }

  /**
   * The names of the score models (or, with {@code classifiers}, the classifiers) the live fleet
   * serves, sorted.
   */
  public Set<String> models(Instant now, Duration liveness, boolean classifiers) {
    Set<String> names = new TreeSet<>();
    live(now, liveness)
        .forEach(
            b ->
                b.getModelsList().stream()
                    .filter(m -> isClassifier(m) == classifiers)
                    .forEach(m -> names.add(m.getName())));
    return names;
  }

  /** The names of the score models the live fleet serves, sorted. */
  public Set<String> models(Instant now, Duration liveness) {
    return models(now, liveness, false);
  }

  /**
   * What a live worker says of a score model (or, with {@code classifier}, a classifier): its
   * newest version's shape, SDE and classes.
   */
  public Optional<ModelVersion> model(
      String name, boolean classifier, Instant now, Duration liveness) {
    return live(now, liveness).stream()
        .flatMap(b -> b.getModelsList().stream())
        .filter(m -> m.getName().equals(name) && isClassifier(m) == classifier)
        .max(Comparator.comparing(ModelVersion::getVersion, FleetView::compareVersions));
  }

  /** What a live worker says of a score model: its newest version's shape, SDE and classes. */
  public Optional<ModelVersion> model(String name, Instant now, Duration liveness) {
    return model(name, false, now, liveness);
  }

  /**
   * What a live worker says of one version of a score model (or a classifier), if any serves it.
   */
  public Optional<ModelVersion> version(
      String name, String version, boolean classifier, Instant now, Duration liveness) {
    return live(now, liveness).stream()
        .flatMap(b -> b.getModelsList().stream())
        .filter(
            m ->
                m.getName().equals(name)
                    && m.getVersion().equals(version)
                    && isClassifier(m) == classifier)
        .findFirst();
  }

  /** What a live worker says of one version of a score model, if any serves it. */
  public Optional<ModelVersion> version(
      String name, String version, Instant now, Duration liveness) {
    return version(name, version, false, now, liveness);
  }

  /** Versions compared as numbers when both are, else as text. */
  public static int compareVersions(String a, String b) {
    if (a.matches("\\d{1,18}") && b.matches("\\d{1,18}")) {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    }
    return a.compareTo(b);
  }

  /** The partitions this view reads. */
  public List<TopicPartition> partitions() {
    return reader.partitions();
  }

  /** True once this view has read every beat written before {@code endOffsets} were taken. */
  public boolean hasRead(Map<TopicPartition, Long> endOffsets) {
    return reader.hasRead(endOffsets);
  }

  @Override
  public void close() {
    reader.close();
  }
}
