package io.scorestream.trainer.data;

import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.Replication;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.DataRecord;
import io.scorestream.proto.v1.ValueRange;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Writes a source's examples to {@code scorestream.data.NAME} as {@link DataRecord}s: shape, range,
 * label and number of classes on every record. A dataset's shape is fixed by its first record: a
 * source whose examples have another shape is refused, with both shapes in the reason, before
 * anything is written. Example ids continue after what the topic holds, so a second publish adds to
 * a dataset.
 */
public final class DataPublisher {
  /** Dataset names: they name a topic. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  /**
   * What a publish did.
   *
   * @param written examples written now
   * @param total examples the dataset holds after it
   */
  public record Result(long written, long total) {}

  private final KafkaClients kafka;
  private final TopicNames names;

  public DataPublisher(KafkaClients kafka, TopicNames names) {
    this.kafka = kafka;
    this.names = names;
  }

  /**
   * The data topic of a dataset: one partition, so its first record is well defined; kept until
   * deleted.
   */
  public static NewTopic topic(TopicNames names, String dataset, Replication replication) {
    return new NewTopic(names.data(dataset), 1, replication.replicas())
        .configs(
            replication.withMinInsync(
                Map.of(
                    TopicConfig.RETENTION_MS_CONFIG,
                    "-1", // a dataset stays until it is deleted
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    Integer.toString(Topics.MAX_MESSAGE_BYTES)))); // large images
  }

  /**
   * Publishes up to {@code limit} examples (all of a finite source when 0 or less), at most {@code
   * rate} a second (no limit when 0 or less); {@code progress} hears a line now and then.
   */
  public Result publish(
      String dataset, DataSource source, long limit, double rate, Consumer<String> progress)
      throws InterruptedException {
    if (!NAME.matcher(dataset).matches()) {
      throw new IllegalArgumentException(
          "--dataset must match " + NAME.pattern() + ", got '" + dataset + "'");
    }
    if (limit <= 0 && !finite(source)) {
      throw new IllegalArgumentException(source.describe() + " is endless: give --limit N");
    }
    String topic = names.data(dataset);
    try (Admin admin = kafka.admin(Map.of())) {
      Topics.ensure(admin, List.of(topic(names, dataset, Topics.replication(admin, kafka))));
    }
    Existing existing = existing(topic);
    int[] shape = source.shape();
    if (existing.first().isPresent()) {
      long[] fixed =
          existing.first().get().getX().getShapeList().stream()
              .mapToLong(Long::longValue)
              .toArray();
      long[] mine = Arrays.stream(shape).asLongStream().toArray();
      if (!Arrays.equals(fixed, mine)) {
        throw new IllegalArgumentException(
            "dataset "
                + dataset
                + " holds examples of shape "
                + Arrays.toString(fixed)
                + " (fixed by its first record); "
                + source.describe()
                + " has shape "
                + Arrays.toString(mine));
      }
    }
    DataRecord.Builder template =
        DataRecord.newBuilder().setDataset(dataset).setNumClasses(source.numClasses());
    if (source.range() != null) {
      template.setRange(
          ValueRange.newBuilder().setMin(source.range().min()).setMax(source.range().max()));
    }
    long written = 0;
    long next = existing.count();
    long started = System.nanoTime();
    long lastReport = started;
    try (KafkaProducer<String, byte[]> producer =
        kafka.producer(
            Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all", // a published example is on every replica
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true, // a retried send is not a second example
                ProducerConfig.LINGER_MS_CONFIG,
                20, // examples go in batches
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Topics.MAX_MESSAGE_BYTES))) { // large images
      Future<RecordMetadata> last = null;
      Iterator<DataSource.Example> examples = source.examples();
      while (examples.hasNext() && (limit <= 0 || written < limit)) {
        DataSource.Example e = examples.next();
        DataRecord.Builder r =
            template
                .clone()
                .setExampleId(Long.toString(next))
                .setTime(Times.now())
                .setX(
                    Tensors.of(e.x(), 1, shape).toBuilder()
                        .clearShape()
                        .addAllShape(Arrays.stream(shape).asLongStream().boxed().toList()));
        e.label().ifPresent(r::setLabel);
        last =
            producer.send(new ProducerRecord<>(topic, r.getExampleId(), r.build().toByteArray()));
        written++;
        next++;
        if (rate > 0) {
          long due = started + (long) (written * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
        }
        if (System.nanoTime() - lastReport > Duration.ofSeconds(5).toNanos()) {
          lastReport = System.nanoTime();
          progress.accept("published " + written + " examples to " + topic);
        }
      }
      producer.flush();
      if (last != null) {
        last.get();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Kafka did not take the examples: " + e.getCause().getMessage(), e.getCause());
    }
    return new Result(written, next);
  }

  private static boolean finite(DataSource source) {
    return !(source instanceof Builtin);
  }

  private record Existing(Optional<DataRecord> first, long count) {}

  /** The dataset's first record, if any, and how many it holds. */
  private Existing existing(String topic) {
    TopicPartition p = new TopicPartition(topic, 0);
    long begin;
    long end;
    try (KafkaConsumer<String, byte[]> consumer = kafka.consumer(Map.of())) {
      begin = consumer.beginningOffsets(List.of(p)).get(p);
      end = consumer.endOffsets(List.of(p)).get(p);
    }
    if (end <= begin) {
      return new Existing(Optional.empty(), end);
    }
    DataRecord first =
        DataTopic.first(kafka, topic, Duration.ofSeconds(30))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "could not read the first record of " + topic + " within 30 s"));
    return new Existing(Optional.of(first), end);
  }
}
