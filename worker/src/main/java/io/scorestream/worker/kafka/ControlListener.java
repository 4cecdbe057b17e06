package io.scorestream.worker.kafka;

import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.TopicReader;
import io.scorestream.proto.v1.Control;
import io.scorestream.worker.jobs.Scheduler;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every worker reads all of {@code scorestream.control} (no group) from its beginning, so a cancel
 * reaches the worker running the job, and one sent before the job arrived still applies. A cancel
 * names its tenant, and only the tenant that submitted a job can cancel it. An unreadable control
 * record cancels nothing.
 */
public final class ControlListener implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlListener.class);

  private final TopicReader<Control> reader;

  public ControlListener(KafkaClients kafka, TopicNames names, Scheduler scheduler) {
    this.reader =
        new TopicReader<>(
            kafka,
            names.control(),
            Control::parseFrom,
            (ConsumerRecord<String, byte[]> r, Control control) -> {
              if (control.hasCancel()) {
                String jobId =
                    control.getJobId().isEmpty() && r.key() != null ? r.key() : control.getJobId();
                scheduler.cancel(jobId, control.getTenant(), control.getCancel().getReason());
              }
            },
            Duration.ofMillis(50),
            LOG);
  }

  @Override
  public void run() {
    reader.run();
  }

  /** True once every control record before these offsets has been read (others are ignored). */
  public boolean hasRead(Map<TopicPartition, Long> endOffsets) {
    return reader.hasRead(endOffsets);
  }

  @Override
  public void close() {
    reader.close();
  }
}
