package io.scorestream.jobs.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads every partition of one topic from its beginning, outside any group, on the thread that runs it, until
 * closed: the one loop behind the control, checkpoint, job-state and heartbeat readers. Each value is parsed and
 * handed on; a tombstone (null value) is handed on as such; a value that does not parse goes to the unreadable
 * handler and reading goes on. It knows how far it has read, so a caller can wait until it has caught up.
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
    default void unreadable(ConsumerRecord<String, byte[]> record, InvalidProtocolBufferException e) {}
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final Parser<T> parser;
  private final Handler<T> handler;
  private final Duration pollTimeout;
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public TopicReader(KafkaClients kafka, String topic, Parser<T> parser, Handler<T> handler, Duration pollTimeout) {
    this.consumer = WholeTopic.reader(kafka, topic);
    this.partitions = WholeTopic.partitions(consumer, topic);
    this.parser = parser;
    this.handler = handler;
    this.pollTimeout = pollTimeout;
  }

  @Override
  public void run() {
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(pollTimeout)) {
          if (record.value() == null) {
            handler.tombstone(record);
            continue;
          }
          T value;
          try {
            value = parser.parse(record.value());
          } catch (InvalidProtocolBufferException e) {
            handler.unreadable(record, e);
            continue;
          }
          handler.value(record, value);
        }
        for (TopicPartition p : partitions) {
          positions.put(p, consumer.position(p));
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } finally {
      consumer.close();
    }
  }

  /** The partitions this reader reads. */
  public List<TopicPartition> partitions() {
    return partitions;
  }

  /** True once every record of this reader's partitions before these offsets (others are ignored) has been handed on. */
  public boolean hasRead(Map<TopicPartition, Long> endOffsets) {
    return endOffsets.entrySet().stream().filter(e -> partitions.contains(e.getKey()))
        .allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
  }
}
