package io.scorestream.jobs.kafka;

import com.google.protobuf.ByteString;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ModelMetadata;
import io.scorestream.core.onnx.OnnxMetadata;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.jobs.Times;
import io.scorestream.proto.v1.CheckpointEvent;
import io.scorestream.proto.v1.CheckpointPart;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Publishes an ONNX model to {@code scorestream.checkpoints}, keyed by model name: carried whole in
 * the record when it fits {@code partBytes}, else in {@link CheckpointParts} written first to the
 * same partition. Once a version is complete, the parts of every other version of that model still
 * on the topic (the previous version's, or those of a version a killed publisher never finished)
 * are deleted with tombstones, so compaction keeps one model's worth.
 */
public final class CheckpointPublisher implements AutoCloseable {
  private final KafkaClients kafka;
  private final KafkaProducer<String, byte[]> producer;
  private final TopicNames names;
  private final int partBytes;

  /**
   * Per model, the part keys this publisher knows to be on the topic (read from it at the model's
   * first publish).
   */
  private final Map<String, Set<String>> liveParts = new HashMap<>();

  /** A publisher that splits models larger than {@link CheckpointParts#DEFAULT_PART_BYTES}. */
  public CheckpointPublisher(KafkaClients kafka, TopicNames names) {
    this(kafka, names, CheckpointParts.DEFAULT_PART_BYTES);
  }

  /**
   * @param partBytes the most bytes of model in one record; larger models are split
   */
  public CheckpointPublisher(KafkaClients kafka, TopicNames names, int partBytes) {
    if (partBytes < 1024) {
      throw new IllegalArgumentException(
          "a checkpoint part holds at least 1 KiB, not " + partBytes + " bytes");
    }
    this.kafka = kafka;
    this.names = names;
    this.partBytes = partBytes;
    this.producer =
        kafka.producer(
            Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all", // a published model is durable
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true, // a retried send is one record
                ProducerConfig.BUFFER_MEMORY_CONFIG,
                Topics.PRODUCER_BUFFER_BYTES, // a whole-record model fits the buffer
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Topics.MAX_MESSAGE_BYTES)); // a whole model when partBytes allows
  }

  /**
   * Publishes a model; its name and version come from its metadata ({@code fallbackName} when it
   * names none). Returns the event as published. A model whose metadata breaks the contract is
   * refused here.
   */
  public CheckpointEvent publish(byte[] onnx, String fallbackName) {
    Map<String, String> metadata = OnnxMetadata.read(onnx);
    ModelInfo info = ModelMetadata.parse(metadata, fallbackName);
    return publish(onnx, info.name(), info.version(), info.trainStep(), metadata);
  }

  /**
   * Publishes bytes under an explicit name and version, as they are (no checks: a worker checks
   * them).
   */
  public CheckpointEvent publish(
      byte[] onnx, String name, String version, long trainStep, Map<String, String> metadata) {
    String what = name + ":" + version;
    int partition =
        CheckpointParts.partition(name, producer.partitionsFor(names.checkpoints()).size());
    Set<String> live = liveParts.computeIfAbsent(name, n -> partsOnTopic(n, partition));
    CheckpointEvent.Builder event =
        CheckpointEvent.newBuilder()
            .setModelName(name)
            .setVersion(version)
            .setTrainStep(trainStep)
            .setSha256(RequestDigest.sha256Hex(onnx))
            .setSizeBytes(onnx.length)
            .putAllMetadata(metadata)
            .setTime(Times.now());
    Set<String> written = new HashSet<>();
    if (onnx.length <= partBytes) {
      event.setOnnx(ByteString.copyFrom(onnx));
    } else {
      List<CheckpointPart> parts = CheckpointParts.split(name, version, onnx, partBytes);
      for (CheckpointPart part : parts) {
        String key = CheckpointParts.key(name, version, part.getIndex());
        send(partition, key, part.toByteArray(), what);
        written.add(key);
      }
      event.setParts(parts.size());
    }
    CheckpointEvent published = event.build();
    send(partition, name, published.toByteArray(), what);
    live.removeAll(written);
    for (String stale : live) {
      send(partition, stale, null, what); // a tombstone: compaction drops the stale part
    }
    live.clear();
    live.addAll(written);
    return published;
  }

  private void send(int partition, String key, byte[] value, String what) {
    try {
      producer.send(new ProducerRecord<>(names.checkpoints(), partition, key, value)).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Kafka refused checkpoint " + what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing " + what, e);
    }
  }

  /** The keys of a model's parts that the topic holds now (written and not yet deleted). */
  private Set<String> partsOnTopic(String model, int partition) {
    Set<String> keys = new HashSet<>();
    TopicPartition tp = new TopicPartition(names.checkpoints(), partition);
    try (KafkaConsumer<String, byte[]> consumer = WholeTopic.unassigned(kafka)) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (CheckpointParts.isPart(r.key()) && CheckpointParts.modelOf(r.key()).equals(model)) {
            if (r.value() == null) {
              keys.remove(r.key());
            } else {
              keys.add(r.key());
            }
          }
        }
      }
    }
    return keys;
  }

  @Override
  public void close() {
    producer.close();
  }
}
