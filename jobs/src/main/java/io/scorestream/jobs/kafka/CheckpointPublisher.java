package io.scorestream.jobs.kafka;

import com.google.protobuf.ByteString;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.onnx.OnnxMetadata;
import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.jobs.Times;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Publishes an ONNX model to {@code scorestream.checkpoints}, keyed by model name, carried whole in the record. */
public final class CheckpointPublisher implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final TopicNames names;

  public CheckpointPublisher(KafkaClients kafka, TopicNames names) {
    this.names = names;
    this.producer = kafka.producer(Map.of(
        ProducerConfig.ACKS_CONFIG, "all",                                  // a published model is durable
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,                    // a retried send is one record
        ProducerConfig.BUFFER_MEMORY_CONFIG, Topics.PRODUCER_BUFFER_BYTES, // a whole-record model fits the buffer
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES));  // the whole model in one record
  }

  /**
   * Publishes a model; its name and version come from its metadata ({@code fallbackName} when it names none).
   * Returns the event as published. A model whose metadata breaks the contract is refused here.
   */
  public CheckpointEvent publish(byte[] onnx, String fallbackName) {
    Map<String, String> metadata = OnnxMetadata.read(onnx);
    ModelInfo info = ModelMetadata.parse(metadata, fallbackName);
    return publish(onnx, info.name(), info.version(), info.trainStep(), metadata);
  }

  /** Publishes bytes under an explicit name and version, as they are (no checks: a worker checks them). */
  public CheckpointEvent publish(byte[] onnx, String name, String version, long trainStep,
      Map<String, String> metadata) {
    CheckpointEvent event = CheckpointEvent.newBuilder().setModelName(name).setVersion(version)
        .setTrainStep(trainStep).setSha256(RequestDigest.sha256Hex(onnx)).setSizeBytes(onnx.length)
        .putAllMetadata(metadata).setOnnx(ByteString.copyFrom(onnx))
        .setTime(Times.now()).build();
    try {
      producer.send(new ProducerRecord<>(names.checkpoints(), name, event.toByteArray())).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("Kafka refused checkpoint " + name + ":" + version + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing " + name + ":" + version, e);
    }
    return event;
  }

  @Override
  public void close() {
    producer.close();
  }
}
