package io.scorestream.jobs.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import io.scorestream.jobs.Faults;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads every partition of one topic from its beginning, outside any group, on the thread that runs
 * it, until closed: the one loop behind the control, checkpoint, job-state and heartbeat readers.
 * Each value is parsed and handed on; a tombstone (null value) is handed on as such; a value that
 * does not parse goes to the unreadable handler and reading goes on. A handler that throws on a
 * record fails that record alone: the fault is logged once with its stack trace, counted, and
 * reading goes on; a poll that fails (a batch that does not decode is skipped past) is logged and
 * tried again after a back-off, so the reader's thread never dies of a record. It knows how far it
 * has read, so a caller can wait until it has caught up.
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

  private final KafkaConsumer<String, byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final Parser<T> parser;
  private final Handler<T> handler;
  private final Duration pollTimeout;
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private final String topic;
  private final Consumer<String> log;
  private final AtomicLong faults = new AtomicLong();
  private volatile boolean closed;

  /** The longest pause between two polls that failed. */
  private static final long MAX_BACKOFF_MILLIS = 30_000;

  /** A reader that logs its faults to standard error. */
  public TopicReader(
      KafkaClients kafka,
      String topic,
      Parser<T> parser,
      Handler<T> handler,
      Duration pollTimeout) {
    this(kafka, topic, parser, handler, pollTimeout, System.err::println);
  }

  /**
   * @param log receives each fault once, with its stack trace
   */
  public TopicReader(
      KafkaClients kafka,
      String topic,
      Parser<T> parser,
      Handler<T> handler,
      Duration pollTimeout,
      Consumer<String> log) {
    this.topic = topic;
    this.log = log;
    this.consumer = WholeTopic.reader(kafka, topic);
    this.partitions = WholeTopic.partitions(consumer, topic);
    this.parser = parser;
    this.handler = handler;
    this.pollTimeout = pollTimeout;
  }

  @Override
  public void run() {
    long backoff = 0;
    try {
      while (!closed) {
        try {
          pollOnce();
          backoff = 0;
        } catch (WakeupException | InterruptException e) {
          throw e; // closing, or the thread is stopped
        } catch (RecordDeserializationException e) {
          log.accept(
              "reading "
                  + topic
                  + ": skipping the record at "
                  + e.topicPartition()
                  + " offset "
                  + e.offset()
                  + ", which does not decode: "
                  + e.getMessage());
          consumer.seek(e.topicPartition(), e.offset() + 1);
        } catch (KafkaException | IllegalStateException e) {
          backoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(100, backoff * 2));
          log.accept(
              Faults.describe("reading " + topic + " failed; reading on in " + backoff + " ms", e));
          Thread.sleep(backoff);
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close();
    }
  }

  private void pollOnce() {
    for (ConsumerRecord<String, byte[]> record : consumer.poll(pollTimeout)) {
      try {
        handle(record);
      } catch (RuntimeException e) {
        faults.incrementAndGet();
        log.accept(
            Faults.describe(
                "reading "
                    + topic
                    + ": the record at partition "
                    + record.partition()
                    + " offset "
                    + record.offset()
                    + " failed and was skipped",
                e));
      }
    }
    for (TopicPartition p : partitions) {
      positions.put(p, consumer.position(p));
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
    return faults.get();
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
    closed = true;
    consumer.wakeup();
  }
}
