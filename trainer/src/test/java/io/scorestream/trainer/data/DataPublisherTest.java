package io.scorestream.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.proto.v1.DataRecord;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.testkit.TopicRecords;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Publishing datasets to a real broker: records as the trainer reads them, shapes fixed by the
 * first record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("integration")
@ExtendWith(SharedBroker.class)
class DataPublisherTest {
  private TestKafka kafka;
  private KafkaClients clients;
  private TopicNames names;

  @BeforeAll
  void start(TestKafka shared) {
    kafka = shared;
    clients = kafka.clients();
    names = kafka.freshNames("data");
  }

  /** Every record of a dataset's topic, in order. */
  private List<DataRecord> records(String dataset) {
    String topic = names.data(dataset);
    long written = kafka.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
    return TopicRecords.readInOrder(
        kafka.bootstrapServers(),
        topic,
        r -> DataRecord.parseFrom(r.value()),
        Duration.ofSeconds(30),
        read -> read.size() >= written);
  }

  @Test
  void examplesGoOutWithShapeRangeAndLabelsAndASecondPublishAddsToTheDataset() throws Exception {
    DataPublisher publisher = new DataPublisher(clients, names);
    DataPublisher.Result first =
        publisher.publish("glyph-set", DataSources.builtin("glyphs", 1), 50, 0, line -> {});
    assertEquals(new DataPublisher.Result(50, 50), first);
    DataPublisher.Result second =
        publisher.publish("glyph-set", DataSources.builtin("glyphs", 2), 30, 0, l -> {});
    assertEquals(new DataPublisher.Result(30, 80), second);
    List<DataRecord> records = records("glyph-set");
    assertEquals(80, records.size());
    for (int i = 0; i < records.size(); i++) {
      DataRecord r = records.get(i);
      assertEquals(Integer.toString(i), r.getExampleId(), "ids continue after what the topic held");
      assertEquals(List.of(1L, 28L, 28L), r.getX().getShapeList());
      assertEquals(1.0, r.getRange().getMax());
      assertEquals(8, r.getNumClasses());
      assertTrue(r.hasLabel() && r.getLabel() >= 0 && r.getLabel() < 8);
    }
  }

  @Test
  void aSourceOfAnotherShapeIsRefusedBeforeAnythingIsWritten() throws Exception {
    DataPublisher publisher = new DataPublisher(clients, names);
    publisher.publish("points", DataSources.builtin("moons", 1), 10, 0, line -> {});
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> publisher.publish("points", DataSources.builtin("glyphs", 1), 10, 0, line -> {}));
    assertTrue(
        refused.getMessage().contains("[2]") && refused.getMessage().contains("[1, 28, 28]"),
        refused.getMessage());
    assertEquals(10, records("points").size());
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    publisher.publish("points", DataSources.builtin("moons", 1), 0, 0, line -> {}))
            .getMessage()
            .contains("--limit"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    publisher.publish(
                        "no/slashes", DataSources.builtin("moons", 1), 1, 0, line -> {}))
            .getMessage()
            .contains("--dataset"));
  }

  @Test
  void aRateSpreadsThePublishingOverTime() throws Exception {
    long start = System.nanoTime();
    new DataPublisher(clients, names)
        .publish("slow", DataSources.builtin("rings", 1), 20, 50, line -> {});
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(seconds >= 19 / 50.0, "20 examples at 50 a second take at least 0.38 s: " + seconds);
  }
}
