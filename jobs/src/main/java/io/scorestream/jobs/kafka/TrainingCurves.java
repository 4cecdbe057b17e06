package io.scorestream.jobs.kafka;

import io.scorestream.proto.v1.TrainingMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training curves on {@code scorestream.training}, read from the topic's beginning: per model,
 * its points in step order. A model's curve holds at most {@link #MAX_POINTS}; past that, every
 * other loss-only point of the older half is dropped (a curve keeps its shape at half the
 * resolution), while points with checkpoint figures stay. A trainer restarted without its state
 * starts again at step 0: its earlier points, of a run that is gone, are dropped when a point comes
 * with a step lower than the last.
 */
public final class TrainingCurves implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingCurves.class);

  /** Points held per model. */
  public static final int MAX_POINTS = 2000;

  private final TopicReader<TrainingMetrics> reader;
  private final Book book = new Book();

  public TrainingCurves(KafkaClients kafka, TopicNames names) {
    this.reader =
        new TopicReader<>(
            kafka,
            names.training(),
            TrainingMetrics::parseFrom,
            new TopicReader.Handler<>() {
              @Override
              public void value(ConsumerRecord<String, byte[]> record, TrainingMetrics point) {
                book.add(point);
              }
            },
            Duration.ofMillis(200),
            LOG);
  }

  /** A model's curve in step order; empty when no point of it was read. */
  public List<TrainingMetrics> curve(String model) {
    return book.curve(model);
  }

  /** The models with a curve. */
  public List<String> models() {
    return book.models();
  }

  @Override
  public void run() {
    reader.run();
  }

  @Override
  public void close() {
    reader.close();
  }

  /** The curves themselves, as points come in. */
  static final class Book {
    private final Map<String, List<TrainingMetrics>> curves = new ConcurrentHashMap<>();

    /** Takes in one point. */
    void add(TrainingMetrics point) {
      List<TrainingMetrics> curve =
          curves.computeIfAbsent(point.getModelName(), m -> new ArrayList<>());
      synchronized (curve) {
        if (!curve.isEmpty() && point.getStep() < curve.get(curve.size() - 1).getStep()) {
          curve.clear(); // a new run of the model from an earlier step
        }
        curve.add(point);
        if (curve.size() > MAX_POINTS) {
          thin(curve);
        }
      }
    }

    private static void thin(List<TrainingMetrics> curve) {
      int half = curve.size() / 2;
      List<TrainingMetrics> kept = new ArrayList<>(curve.size());
      for (int i = 0; i < curve.size(); i++) {
        TrainingMetrics p = curve.get(i);
        if (i >= half || i % 2 == 0 || !p.getVersion().isEmpty() || p.getQualitySamples() > 0) {
          kept.add(p);
        }
      }
      if (kept.size() > MAX_POINTS) { // nothing left to thin but checkpoints: the oldest go
        kept = new ArrayList<>(kept.subList(kept.size() - MAX_POINTS, kept.size()));
      }
      curve.clear();
      curve.addAll(kept);
    }

    List<TrainingMetrics> curve(String model) {
      List<TrainingMetrics> curve = curves.get(model);
      if (curve == null) {
        return List.of();
      }
      synchronized (curve) {
        return List.copyOf(curve);
      }
    }

    List<String> models() {
      return curves.keySet().stream().sorted().toList();
    }
  }
}
