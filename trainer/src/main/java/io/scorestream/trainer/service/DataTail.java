package io.scorestream.trainer.service;

import io.scorestream.core.model.DataScaling;
import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.proto.v1.DataRecord;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads a dataset's topic from its first record on, and keeps following it, into a {@link
 * ReplayBuffer} in model space. A record that is no DataRecord, or whose example has another shape
 * than the dataset's (its first record's), is counted and skipped: it cannot stop the trainer.
 */
final class DataTail implements Runnable, AutoCloseable {
  /**
   * The largest magnitude an example of a dataset without a declared range may hold: score models
   * learn data of order one, and a value of 10^30 in one record (noise on the topic) would turn
   * every weight into NaN.
   */
  static final double MAX_ABS = 1e6;

  /**
   * What the dataset's first record says of every example.
   *
   * @param min the least value an example may hold: the first record's range, or -{@link #MAX_ABS}
   *     without one
   * @param max the most, likewise
   */
  record Shape(long[] dims, DataScaling scaling, int numClasses, double min, double max) {
    int dimension() {
      long d = 1;
      for (long v : dims) {
        d *= v;
      }
      return (int) d;
    }

    static Shape of(DataRecord first) {
      boolean unit =
          first.hasRange() && first.getRange().getMin() >= 0 && first.getRange().getMax() <= 1;
      boolean ranged = first.hasRange() && first.getRange().getMin() <= first.getRange().getMax();
      return new Shape(
          first.getX().getShapeList().stream().mapToLong(Long::longValue).toArray(),
          unit ? DataScaling.CENTERED : DataScaling.IDENTITY,
          first.getNumClasses(),
          ranged ? first.getRange().getMin() : -MAX_ABS,
          ranged ? first.getRange().getMax() : MAX_ABS);
    }
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final TopicPartition partition;
  private final ReplayBuffer buffer;
  private final Shape shape;
  private final Consumer<String> log;
  private final AtomicLong refused = new AtomicLong();
  private volatile long position;
  private volatile boolean closed;

  private final boolean labelled;
  private final ReplayBuffer heldOut;
  private final int heldOutEvery;

  /**
   * Reads from offset {@code from} on (0: the first record).
   *
   * @param labelled take only examples with a label in {@code [0, numClasses)} (for a
   *     class-conditional network)
   * @param heldOut where every {@code heldOutEvery}-th record (by offset) goes instead of {@code
   *     buffer}, to measure checkpoints against data not trained on; null: none held out
   */
  DataTail(
      KafkaClients kafka,
      String topic,
      Shape shape,
      boolean labelled,
      ReplayBuffer buffer,
      ReplayBuffer heldOut,
      int heldOutEvery,
      long from,
      Consumer<String> log) {
    this.labelled = labelled;
    this.heldOut = heldOut;
    this.heldOutEvery = heldOutEvery;
    this.consumer =
        kafka.consumer(
            Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest", // an offset gone from the topic: its oldest example
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                2000)); // examples are small: read them in large bites
    this.partition = new TopicPartition(topic, 0);
    this.shape = shape;
    this.buffer = buffer;
    this.log = log;
    consumer.assign(List.of(partition));
    consumer.seek(partition, from);
    this.position = from;
  }

  /** The offset read up to. */
  long position() {
    return position;
  }

  @Override
  public void run() {
    float[] model = new float[shape.dimension()];
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          try {
            take(r, model);
          } catch (RuntimeException e) {
            // a record no check foresaw: skipped alone, and said once with its stack trace
            log.accept(
                io.scorestream.jobs.Faults.describe(
                    "record " + r.offset() + " of " + partition.topic() + " failed and was skipped",
                    e));
            refused.incrementAndGet();
          }
        }
        position = consumer.position(partition);
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } finally {
      consumer.close();
    }
  }

  /** One record: into the buffer (or the held-out one) in model space, or skipped, saying why. */
  private void take(ConsumerRecord<String, byte[]> r, float[] model) {
    int d = model.length;
    DataRecord record;
    try {
      record = r.value() == null ? null : DataRecord.parseFrom(r.value());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      record = null;
    }
    long[] dims =
        record == null
            ? null
            : record.getX().getShapeList().stream().mapToLong(Long::longValue).toArray();
    if (record == null
        || !Arrays.equals(dims, shape.dims())
        || Tensors.problem(record.getX()) != null) {
      skip(r.offset(), "not an example of shape " + Arrays.toString(shape.dims()));
      return;
    }
    if (labelled
        && (!record.hasLabel()
            || record.getLabel() < 0
            || record.getLabel() >= shape.numClasses())) {
      skip(r.offset(), "no label in [0, " + shape.numClasses() + ")");
      return;
    }
    float[] x = Tensors.floats(record.getX());
    float lo =
        (float) shape.min(); // rounding to float keeps order: a value within the range stays within
    // these
    float hi = (float) shape.max();
    for (float v : x) {
      if (!(v >= lo && v <= hi)) { // NaN fails both
        skip(
            r.offset(),
            "a value "
                + v
                + " outside ["
                + shape.min()
                + ", "
                + shape.max()
                + "]: one such example"
                + " turns every weight into NaN");
        return;
      }
    }
    for (int j = 0; j < d; j++) {
      model[j] = (float) shape.scaling().toModel(x[j]);
    }
    boolean held = heldOut != null && r.offset() % heldOutEvery == heldOutEvery - 1;
    (held ? heldOut : buffer).add(model, record.hasLabel() ? record.getLabel() : -1);
  }

  private void skip(long offset, String why) {
    if (refused.incrementAndGet() <= 10) {
      log.accept("skipped record " + offset + " of " + partition.topic() + ": " + why);
    }
  }

  long refused() {
    return refused.get();
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
  }
}
