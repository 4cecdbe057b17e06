package io.scorestream.worker.kafka;

import io.scorestream.proto.v1.Control;
import io.scorestream.worker.jobs.Scheduler;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Every worker reads all of {@code scorestream.control} (no group) from its beginning, so a cancel reaches the
 * worker running the job, and one sent before the job arrived still applies. A cancel names its tenant, and only
 * the tenant that submitted a job can cancel it.
 */
public final class ControlListener implements Runnable, AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final Scheduler scheduler;
  private volatile boolean closed;

  public ControlListener(String bootstrapServers, TopicNames names, Scheduler scheduler) {
    this.scheduler = scheduler;
    this.consumer = WholeTopic.reader(bootstrapServers, names.control());
  }

  @Override
  public void run() {
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          try {
            Control control = Control.parseFrom(record.value());
            if (control.hasCancel()) {
              scheduler.cancel(control.getJobId().isEmpty() ? record.key() : control.getJobId(), control.getTenant(),
                  control.getCancel().getReason());
            }
          } catch (com.google.protobuf.InvalidProtocolBufferException | NullPointerException e) {
            // an unreadable control record cancels nothing
          }
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

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
  }
}
