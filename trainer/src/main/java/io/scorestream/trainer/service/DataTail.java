package io.scorestream.trainer.service;

import com.google.protobuf.InvalidProtocolBufferException;
import io.scorestream.core.model.DataScaling;
import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicReader;
import io.scorestream.proto.v1.DataRecord;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a dataset's topic from its first record on, and keeps following it, into a {@link
 * ReplayBuffer} in model space. A record that is no DataRecord, or whose example has another shape
 * than the dataset's (its first record's), is counted and skipped: it cannot stop the trainer.
 */
final class DataTail implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataTail.class);

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

  private final TopicReader<DataRecord> reader;
  private final TopicPartition partition;
  private final ReplayBuffer buffer;
  private final Shape shape;
  private final AtomicLong refused = new AtomicLong();
  private final float[] model;

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
      long from) {
    this.labelled = labelled;
    this.heldOut = heldOut;
    this.heldOutEvery = heldOutEvery;
    KafkaConsumer<String, byte[]> consumer =
        kafka.consumer(
            Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest", // an offset gone from the topic: its oldest example
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                2000)); // examples are small: read them in large bites
    this.partition = new TopicPartition(topic, 0);
    this.shape = shape;
    this.buffer = buffer;
    this.model = new float[shape.dimension()];
    this.reader =
        new TopicReader<>(
            "reading " + topic,
            consumer,
            Map.of(partition, from),
            DataRecord::parseFrom,
            new TopicReader.Handler<>() {
              @Override
              public void value(ConsumerRecord<String, byte[]> record, DataRecord example) {
                take(record.offset(), example);
              }

              @Override
              public void tombstone(ConsumerRecord<String, byte[]> record) {
                skip(record.offset(), "a tombstone, not an example");
              }

              @Override
              public void unreadable(
                  ConsumerRecord<String, byte[]> record, InvalidProtocolBufferException e) {
                skip(record.offset(), "not a DataRecord");
              }
            },
            Duration.ofMillis(200),
            LOG);
  }

  /** The offset read up to. */
  long position() {
    return reader.position(partition);
  }

  /**
   * Follows the topic until closed; a record that fails in a way no check foresaw is skipped alone,
   * said once with its stack trace and counted as refused.
   */
  @Override
  public void run() {
    reader.run();
  }

  /** One record: into the buffer (or the held-out one) in model space, or skipped, saying why. */
  private void take(long offset, DataRecord record) {
    int d = model.length;
    long[] dims = record.getX().getShapeList().stream().mapToLong(Long::longValue).toArray();
    if (!Arrays.equals(dims, shape.dims()) || Tensors.problem(record.getX()) != null) {
      skip(offset, "not an example of shape " + Arrays.toString(shape.dims()));
      return;
    }
    if (labelled
        && (!record.hasLabel()
            || record.getLabel() < 0
            || record.getLabel() >= shape.numClasses())) {
      skip(offset, "no label in [0, " + shape.numClasses() + ")");
      return;
    }
    float[] x = Tensors.floats(record.getX());
    // rounding to float keeps order: a value within the range stays within these
    float lo = (float) shape.min();
    float hi = (float) shape.max();
    for (float v : x) {
      if (!(v >= lo && v <= hi)) { // NaN fails both
        skip(
            offset,
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
    boolean held = heldOut != null && offset % heldOutEvery == heldOutEvery - 1;
    (held ? heldOut : buffer).add(model, record.hasLabel() ? record.getLabel() : -1);
  }

  private void skip(long offset, String why) {
    if (refused.incrementAndGet() <= 10) {
      LOG.warn("skipped record {} of {}: {}", offset, partition.topic(), why);
    }
  }

  /** Records skipped: refused by a check, or failed on. */
  long refused() {
    return refused.get() + reader.faults();
  }

  @Override
  public void close() {
    reader.close();
  }
}
