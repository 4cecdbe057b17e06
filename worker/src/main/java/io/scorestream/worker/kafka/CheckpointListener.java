package io.scorestream.worker.kafka;

import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.worker.models.ModelRegistry;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads the compacted {@code scorestream.checkpoints} from its beginning (no group: every worker loads every
 * model) and loads each checkpoint in the background; a new version serves jobs that start after it is ready,
 * while running jobs finish on the version they started with. A checkpoint whose digest does not match, that does
 * not load or does not run is rejected with a logged reason.
 */
public final class CheckpointListener implements Runnable, AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final ModelRegistry models;
  private final Consumer<String> log;
  private final ExecutorService loader = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "checkpoint-loader");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean closed;

  public CheckpointListener(String bootstrapServers, TopicNames names, ModelRegistry models, Consumer<String> log) {
    this.models = models;
    this.log = log;
    this.consumer = WholeTopic.reader(bootstrapServers, names.checkpoints());
  }

  @Override
  public void run() {
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          CheckpointEvent event;
          try {
            event = CheckpointEvent.parseFrom(record.value());
          } catch (com.google.protobuf.InvalidProtocolBufferException | NullPointerException e) {
            log.accept("rejected checkpoint record " + record.key() + " at offset " + record.offset()
                + ": not a CheckpointEvent");
            continue;
          }
          loader.execute(() -> load(event));
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } finally {
      consumer.close();
      loader.shutdownNow();
    }
  }

  private void load(CheckpointEvent event) {
    String what = event.getModelName() + ":" + event.getVersion();
    if (models.serves(event.getModelName(), event.getVersion())) {
      return;
    }
    if (!event.hasOnnx()) {
      log.accept("rejected checkpoint " + what + ": it names the store " + event.getUri()
          + ", and this worker loads only checkpoints carried in the record");
      return;
    }
    byte[] onnx = event.getOnnx().toByteArray();
    if (!event.getSha256().isEmpty() && !event.getSha256().equalsIgnoreCase(sha256(onnx))) {
      log.accept("rejected checkpoint " + what + ": its bytes do not match its sha256");
      return;
    }
    models.load(onnx, event.getModelName());
  }

  /** Hex SHA-256 of some bytes. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
  }
}
