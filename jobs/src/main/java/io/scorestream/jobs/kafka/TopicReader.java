package io.scorestream.jobs.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;

/**
 * Reads every partition of one topic from its beginning (or given partitions from given offsets),
 * outside any group, on the thread that runs it, until closed: the reader behind the control,
 * checkpoint, job-state, heartbeat and training-curve views, the gateway's event hub and the
 * trainer's data tail, running on the one {@link PollLoop}. Each value is parsed and handed on; a
 * tombstone (null value) is handed on as such; a value that does not parse goes to the unreadable
 * handler and reading goes on. A handler that throws on a record fails that record alone: the fault
 * is logged once with its stack trace, counted, and reading goes on; a poll that fails (a batch
 * that does not decode is skipped past) is logged and tried again after a back-off, so the reader's
 * thread never dies of a record. It knows how far it has read, so a caller can wait until it has
 * caught up.
 *
 * @param <T> the message the topic holds
 */
public final class TopicReader<T> implements Runnable, AutoCloseable {
  /** Parses a record's value. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  /** What a reader does with the records it reads. */
  public interface Handler<T> {
    /** A parsed value. */
    void value(ConsumerRecord<String, byte[]> record, T value);

    /** A tombstone: the key's value was deleted. */
    default void tombstone(ConsumerRecord<String, byte[]> record) {}

    /** A value that is not a {@code T}. */
    default void unreadable(
        ConsumerRecord<String, byte[]> record, InvalidProtocolBufferException e) {}
  }

  private final List<TopicPartition> partitions;
  private final Parser<T> parser;
  private final Handler<T> handler;
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private final PollLoop loop;

  /**
   * A reader of every partition of {@code topic} from its beginning.
   *
   * @param log the owner's logger: each fault goes to it once, at WARN, with its stack trace
   */
  public TopicReader(
      KafkaClients kafka,
      String topic,
      Parser<T> parser,
      Handler<T> handler,
      Duration pollTimeout,
      Logger log) {
    this("reading " + topic, WholeTopic.reader(kafka, topic), parser, handler, pollTimeout, log);
  }

  /**
   * A reader of the partitions in {@code from}, each from its offset there (a reader that starts
   * elsewhere than the beginning, or reads with other settings).
   *
   * @param name what it reads, for its log lines
   * @param consumer outside any group; the reader assigns it, positions it and owns it from here
   * @param from the partitions to read and the offset of the first record to read from each
   */
  public TopicReader(
      String name,
      KafkaConsumer<String, byte[]> consumer,
      Map<TopicPartition, Long> from,
      Parser<T> parser,
      Handler<T> handler,
      Duration pollTimeout,
      Logger log) {
    this(name, positioned(consumer, from), parser, handler, pollTimeout, log);
    positions.putAll(from);
  }

  /** {@code consumer}, assigned the partitions of {@code from} and at their offsets there. */
  private static KafkaConsumer<String, byte[]> positioned(
      KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> from) {
    consumer.assign(from.keySet());
    from.forEach(consumer::seek);
    return consumer;
  }

  /** A reader of the partitions {@code consumer} is assigned, from where it stands. */
  private TopicReader(
      String name,
      KafkaConsumer<String, byte[]> consumer,
      Parser<T> parser,
      Handler<T> handler,
      Duration pollTimeout,
      Logger log) {
    this.partitions = List.copyOf(consumer.assignment());
    this.parser = parser;
    this.handler = handler;
    this.loop = new PollLoop(name, consumer, pollTimeout, this::take, log);
  }

  @Override
  public void run() {
    loop.run();
  }

  private void take(ConsumerRecords<String, byte[]> batch) throws InterruptedException {
    loop.each(batch, this::handle);
    for (TopicPartition p : partitions) {
      positions.put(p, loop.consumer().position(p));
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      handler.tombstone(record);
      return;
    }
    T value;
    try {
      value = parser.parse(record.value());
    } catch (InvalidProtocolBufferException e) {
      handler.unreadable(record, e);
      return;
    }
    handler.value(record, value);
  }

  /** How many records a handler failed on since the start. */
  public long faults() {
    return loop.faults();
  }

  /**
   * The offset of the next record this reader will hand on from a partition it reads (-1 while a
   * reader from the beginning has not polled yet).
   */
  public long position(TopicPartition partition) {
    return positions.getOrDefault(partition, -1L);
  }

  /** The partitions this reader reads. */
  public List<TopicPartition> partitions() {
    return partitions;
  }

  /**
   * True once every record of this reader's partitions before these offsets (others are ignored)
   * has been handed on.
   */
  public boolean hasRead(Map<TopicPartition, Long> endOffsets) {
    return endOffsets.entrySet().stream()
        .filter(e -> partitions.contains(e.getKey()))
        .allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
  }

  @Override
  public void close() {
    loop.close();
  }
}
