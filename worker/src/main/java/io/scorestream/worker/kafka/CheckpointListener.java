package io.scorestream.worker.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.jobs.kafka.CheckpointParts;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.TopicReader;
import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.proto.v1.CheckpointPart;
import io.scorestream.worker.models.ModelRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the compacted {@code scorestream.checkpoints} from its beginning (no group: every worker
 * loads every model) and loads each checkpoint in the background; a new version serves jobs that
 * start after it is ready, while running jobs finish on the version they started with. A checkpoint
 * split into parts is joined when its event comes (see {@link CheckpointParts}). A checkpoint whose
 * digest does not match, whose parts are missing, that does not load or does not run is rejected
 * with a logged reason.
 */
public final class CheckpointListener implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointListener.class);

  private final TopicReader<byte[]> reader;

  /** Parts of split checkpoints, gathered on the reading thread until their event comes. */
  private final CheckpointParts.Assembly assembly = new CheckpointParts.Assembly();

  private final ModelRegistry models;
  private final ExecutorService loader =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "checkpoint-loader");
            t.setDaemon(true);
            return t;
          });

  public CheckpointListener(KafkaClients kafka, TopicNames names, ModelRegistry models) {
    this.models = models;
    this.reader =
        new TopicReader<>(
            kafka,
            names.checkpoints(),
            bytes -> bytes,
            new TopicReader.Handler<>() {
              @Override
              public void value(ConsumerRecord<String, byte[]> record, byte[] value) {
                read(record, value);
              }

              @Override
              public void tombstone(ConsumerRecord<String, byte[]> record) {
                if (CheckpointParts.isPart(record.key())) {
                  assembly.tombstone(record.key());
                }
                // a model's tombstone retires nothing: the versions loaded go on serving until
                // newer ones replace them
              }
            },
            Duration.ofMillis(200),
            LOG);
  }

  /** One record: a part is held until its event; an event is loaded in the background. */
  private void read(ConsumerRecord<String, byte[]> record, byte[] value) {
    try {
      if (CheckpointParts.isPart(record.key())) {
        String dropped = assembly.part(CheckpointPart.parseFrom(value));
        if (dropped != null) {
          LOG.warn(dropped);
        }
        return;
      }
      CheckpointEvent event = CheckpointEvent.parseFrom(value);
      if (event.getParts() > 0) {
        byte[] onnx = assembly.complete(event);
        loader.execute(() -> load(event, onnx));
      } else {
        loader.execute(() -> load(event, event.hasOnnx() ? event.getOnnx().toByteArray() : null));
      }
    } catch (InvalidProtocolBufferException e) {
      LOG.warn(
          "rejected checkpoint record {} at offset {}: not a {}",
          record.key(),
          record.offset(),
          CheckpointParts.isPart(record.key()) ? "CheckpointPart" : "CheckpointEvent");
    } catch (IllegalArgumentException e) {
      LOG.warn("rejected checkpoint {}", e.getMessage());
    }
  }

  @Override
  public void run() {
    try {
      reader.run();
    } finally {
      loader.shutdownNow();
    }
  }

  private void load(CheckpointEvent event, byte[] onnx) {
    String what = event.getModelName() + ":" + event.getVersion();
    if (models.serves(event.getModelName(), event.getVersion())) {
      return;
    }
    if (onnx == null) {
      LOG.warn(
          "rejected checkpoint {}: it names the store {}, and this worker loads only checkpoints"
              + " carried on the topic",
          what,
          event.getUri());
      return;
    }
    if (!event.getSha256().isEmpty()
        && !event.getSha256().equalsIgnoreCase(RequestDigest.sha256Hex(onnx))) {
      LOG.warn("rejected checkpoint {}: its bytes do not match its sha256", what);
      return;
    }
    models.load(onnx, event.getModelName());
  }

  @Override
  public void close() {
    reader.close();
  }
}
