package io.scorestream.jobs.kafka;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;

/**
 * The one poll loop of every long-lived consumer: poll, hand the batch on, and again, until closed;
 * closing wakes the poll and closes the consumer on the loop's thread. Its errors go by tier, by
 * what failed: a record that does not decode is skipped past (logged); a batch step that fails with
 * a Kafka or runtime fault is logged with its stack trace and tried again after a back-off (100 ms,
 * doubling to 30 s), so the thread never dies of a record or a broker's absence; a wake-up or an
 * interrupt while not closed ends the loop with its exception (fatal: the owner says why). {@link
 * #each} hands a batch's records on one by one, a record its handler fails on skipped alone.
 */
public final class PollLoop implements Runnable, AutoCloseable {
  /** What the loop does with one poll's records. */
  @FunctionalInterface
  public interface Step {
    /**
     * Takes one batch (possibly empty); a {@link KafkaException} or runtime fault retries the loop
     * after a back-off.
     */
    void take(ConsumerRecords<String, byte[]> batch) throws InterruptedException;
  }

  /** What the loop does with one record. */
  @FunctionalInterface
  public interface RecordStep {
    /** Takes one record; a runtime fault fails this record alone. */
    void take(ConsumerRecord<String, byte[]> record) throws InterruptedException;
  }

  /** The longest pause between two polls that failed. */
  private static final long MAX_BACKOFF_MILLIS = 30_000;

  private final String name;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Duration pollTimeout;
  private final Step step;
  private final Logger log;
  private final AtomicLong faults = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param name what the loop reads, for its log lines ("reading scorestream.control")
   * @param consumer assigned or subscribed already; the loop owns it from here and closes it
   * @param log the owner's logger: each fault goes to it once, at WARN, with its stack trace
   */
  public PollLoop(
      String name,
      KafkaConsumer<String, byte[]> consumer,
      Duration pollTimeout,
      Step step,
      Logger log) {
    this.name = name;
    this.consumer = consumer;
    this.pollTimeout = pollTimeout;
    this.step = step;
    this.log = log;
  }

  @Override
  public void run() {
    long backoff = 0;
    try {
      while (!closed) {
        try {
          step.take(consumer.poll(pollTimeout));
          backoff = 0;
        } catch (WakeupException | InterruptException e) {
          throw e; // closing, or the thread is stopped
        } catch (RecordDeserializationException e) {
          log.warn(
              "{}: skipping the record at {} offset {}, which does not decode: {}",
              name,
              e.topicPartition(),
              e.offset(),
              e.getMessage());
          consumer.seek(e.topicPartition(), e.offset() + 1);
        } catch (RuntimeException e) { // a Kafka fault, or one of the step's own
          if (closed) {
            break; // the owner closed what the step writes to
          }
          backoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(100, backoff * 2));
          log.warn("{} failed; reading on in {} ms", name, backoff, e);
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

  /**
   * Hands each record of a batch to {@code handler}; a record it fails on (a runtime fault) is
   * skipped alone, logged once with its stack trace and counted.
   */
  public void each(Iterable<ConsumerRecord<String, byte[]>> batch, RecordStep handler)
      throws InterruptedException {
    for (ConsumerRecord<String, byte[]> record : batch) {
      try {
        handler.take(record);
      } catch (RuntimeException e) {
        if (closed) {
          return; // stopping: what the handler writes to may be closed already
        }
        faults.incrementAndGet();
        log.warn(
            "{}: the record at {}-{} offset {} failed and was skipped",
            name,
            record.topic(),
            record.partition(),
            record.offset(),
            e);
      }
    }
  }

  /** The consumer, for a step's positions, seeks and commits (on the loop's thread only). */
  public KafkaConsumer<String, byte[]> consumer() {
    return consumer;
  }

  /** How many records a handler failed on since the start. */
  public long faults() {
    return faults.get();
  }

  /** True once closed. */
  public boolean closed() {
    return closed;
  }

  /** Ends the loop: its poll wakes, and the consumer closes on the loop's thread. */
  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
  }
}
