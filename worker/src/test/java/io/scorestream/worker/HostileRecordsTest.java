package io.scorestream.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.DType;
import io.scorestream.proto.v1.DeadLetter;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.JobStatus;
import io.scorestream.proto.v1.ModelVersion;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.proto.v1.Tensor;
import io.scorestream.proto.v1.WorkerHeartbeat;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.testkit.TopicRecords;
import io.scorestream.worker.kafka.KafkaEventSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records no worker may die of, at and beyond every limit: requests near the record size whose
 * states used to be larger than a record, garbage of that size, keys and ids of megabytes,
 * tombstones, another tenant reusing an id, a stranger's cancel. Each gets its refusal (or
 * nothing), every state stays small, and the worker serves on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedBroker.class)
@Tag("integration")
class HostileRecordsTest {
  private static final int NEAR_LIMIT = Topics.MAX_MESSAGE_BYTES - (1 << 20);
  @TempDir static Path dir;
  private TopicNames names;
  private TestKafka kafka;
  private Worker worker;
  private JobClient client;
  private KafkaProducer<String, byte[]> raw;

  @BeforeAll
  void start(TestKafka kafka) throws Exception {
    this.kafka = kafka;
    names = kafka.freshNames("hostilerecords");
    Path models = TestModels.dir(dir, "gmm.onnx", TestModels.standardNormal("gmm", "1", 2));
    worker =
        Worker.start(
            WorkerSettings.builder(kafka.bootstrapServers(), "w")
                .topics(names)
                .modelsDir(models)
                .intraOpThreads(1)
                .deliveryTimeout(Duration.ofSeconds(20))
                .build());
    client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names);
    raw = kafka.rawProducer();
  }

  @AfterAll
  void stop() {
    raw.close();
    client.close();
    worker.close();
  }

  private static GenerateRequest.Builder request(String id, String tenant) {
    return GenerateRequest.newBuilder()
        .setJobId(id)
        .setTenant(tenant)
        .setModelName("gmm")
        .setNumSamples(2)
        .setSeed(11)
        .setSampler(SamplerSettings.newBuilder().setSteps(20));
  }

  private void send(String key, byte[] value) throws Exception {
    raw.send(new ProducerRecord<>(names.jobs(), key, value)).get();
  }

  private JobEvent end(GenerateRequest request) {
    return client.follow(
        request.getJobId(), RequestDigest.of(request), null, Duration.ofSeconds(60), e -> {});
  }

  private void assertServesOn(String id) {
    GenerateRequest fine = request(id, "t").build();
    client.submit(fine);
    assertTrue(end(fine).hasCompleted(), "the worker serves on after " + id);
    assertFalse(worker.stopped().isDone(), "and has not stopped");
  }

  @Test
  void requestsNearTheRecordLimitAreRefusedWithSmallStates() throws Exception {
    // the tenant alone is 40 MiB: the old state, tenant + whole request, was 80 MiB and stopped
    // every worker
    GenerateRequest hugeTenant = request("huge-tenant", "t".repeat(40 << 20)).build();
    send(hugeTenant.getJobId(), hugeTenant.toByteArray());
    Tensor big =
        Tensor.newBuilder()
            .setDtype(DType.UINT8)
            .addShape(NEAR_LIMIT / 2)
            .setData(ByteString.copyFrom(new byte[NEAR_LIMIT / 2]))
            .build();
    GenerateRequest.Builder nearLimit = request("near-limit", "t");
    nearLimit.getConditioningBuilder().getInpaintingBuilder().setKnown(big).setMask(big);
    send("near-limit", nearLimit.build().toByteArray());
    GenerateRequest.Builder hugeClassifier = request("huge-classifier", "t");
    hugeClassifier.getGuidanceBuilder().setClassifier("c".repeat(40 << 20));
    send("huge-classifier", hugeClassifier.build().toByteArray());
    for (GenerateRequest r : List.of(hugeTenant, nearLimit.build(), hugeClassifier.build())) {
      JobEvent failed = end(r);
      assertEquals("too_large", failed.getFailed().getCode(), failed.getFailed().getReason());
    }
    var states =
        TopicRecords.readUntil(
            kafka.bootstrapServers(),
            names.jobState(),
            JobState::parseFrom,
            Duration.ofSeconds(30),
            m ->
                List.of("huge-tenant", "near-limit", "huge-classifier").stream()
                    .allMatch(
                        id ->
                            m.getOrDefault(id, List.of()).stream()
                                .anyMatch(s -> s.getStatus() == JobStatus.FAILED)));
    for (String id : List.of("huge-tenant", "near-limit", "huge-classifier")) {
      for (JobState s : states.get(id)) {
        assertTrue(
            s.getSerializedSize() < 4096, id + " state of " + s.getSerializedSize() + " bytes");
      }
    }
    assertServesOn("after-near-limit");
  }

  @Test
  void garbageKeysAndIdsOfMegabytesGoToDeadLetterBounded() throws Exception {
    byte[] garbage = new byte[NEAR_LIMIT];
    new Random(3).nextBytes(garbage);
    garbage[0] = (byte) 0xff; // no protobuf field has number 31 with wire type 7
    send("garbage", garbage);
    send("k".repeat(1 << 20), new byte[] {(byte) 0xff, 1});
    send("short-key", request("x".repeat(1 << 20), "t").build().toByteArray());
    raw.send(new ProducerRecord<>(names.jobs(), "tomb", null)).get();
    var letters =
        TopicRecords.readUntil(
            kafka.bootstrapServers(),
            names.deadLetter(),
            DeadLetter::parseFrom,
            Duration.ofSeconds(60),
            m ->
                m.containsKey("garbage")
                    && m.containsKey("short-key")
                    && m.keySet().stream().anyMatch(k -> k != null && k.startsWith("kkk")));
    DeadLetter g = letters.get("garbage").get(0);
    assertEquals(NEAR_LIMIT, g.getValueSize());
    assertEquals(RequestDigest.sha256Hex(garbage), g.getValueSha256());
    assertTrue(g.getSerializedSize() < 100_000, "a bounded letter: " + g.getSerializedSize());
    String longKey =
        letters.keySet().stream()
            .filter(k -> k != null && k.startsWith("kkk"))
            .findFirst()
            .orElseThrow();
    assertEquals(1024, longKey.length(), "the letter's key is cut");
    assertTrue(letters.get("short-key").get(0).getReason().contains("jobId must match"));
    assertServesOn("after-garbage");
  }

  @Test
  void garbageUnderAnIdTakesNeitherTheIdNorItsFollowers() throws Exception {
    send("squatted", new byte[] {(byte) 0xff, 7});
    TopicRecords.readUntil(
        kafka.bootstrapServers(),
        names.jobEvents(),
        JobEvent::parseFrom,
        Duration.ofSeconds(30),
        m -> m.containsKey("squatted")); // its refusal is out before the request comes
    GenerateRequest real = request("squatted", "t").build();
    client.submit(real);
    JobEvent end = end(real);
    assertTrue(
        end.hasCompleted(), "the request under the id runs, and its follower waits for it: " + end);
  }

  @Test
  void anotherTenantReusingAnIdIsRefusedAndTheOwnersJobIsUntouched() throws Exception {
    GenerateRequest mine = request("shared-id", "alice").build();
    client.submit(mine);
    JobEvent done = end(mine);
    assertTrue(done.hasCompleted());
    GenerateRequest theirs = request("shared-id", "mallory").setNumSamples(1).build();
    client.submit(theirs);
    JobEvent refused = end(theirs);
    assertEquals("job_id_taken", refused.getFailed().getCode(), refused.toString());
    assertEquals(0, refused.getAttempt());
    GenerateRequest sameSettingsOtherTenant = request("shared-id", "bob").build();
    client.submit(sameSettingsOtherTenant);
    assertEquals("job_id_taken", end(sameSettingsOtherTenant).getFailed().getCode());
    client.submit(
        mine); // the same request again, a new submission time: the same job, not run again
    assertServesOn("after-shared-id");
    JobState state = client.state("shared-id", Duration.ofSeconds(30)).orElseThrow();
    assertEquals(JobStatus.SUCCEEDED, state.getStatus());
    assertEquals("alice", state.getTenant());
    assertEquals(done.getCompleted(), state.getResult(), "the owner's result stands");
    var events =
        TopicRecords.readUntil(
            kafka.bootstrapServers(),
            names.jobEvents(),
            JobEvent::parseFrom,
            Duration.ofSeconds(30),
            m -> m.containsKey("shared-id"));
    assertEquals(
        1, events.get("shared-id").stream().filter(JobEvent::hasCompleted).count(), "served once");
  }

  @Test
  void aCancelWithAReasonOfMegabytesCancelsWithTheReasonCutAndUnreadableControlRecordsAreIgnored()
      throws Exception {
    raw.send(new ProducerRecord<>(names.control(), "garbage", new byte[] {(byte) 0xff, 1})).get();
    raw.send(new ProducerRecord<>(names.control(), "tomb", null)).get();
    GenerateRequest running =
        request("cancelled-long", "t")
            .setSampler(SamplerSettings.newBuilder().setSteps(400_000))
            .build();
    client.submit(running);
    await("the job starts")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                client
                    .state(running.getJobId(), Duration.ofSeconds(10))
                    .map(s -> s.getStatus() == JobStatus.RUNNING)
                    .orElse(false));
    client.cancel(
        running.getJobId(), "t", "r".repeat(40 << 20)); // the event would be over a record's size
    JobEvent end = end(running);
    assertTrue(end.hasCancelled(), end.getEventCase().toString());
    assertTrue(
        end.getCancelled().getReason().length() < 2000,
        "cut: " + end.getCancelled().getReason().length());
    assertServesOn("after-huge-cancel");
  }

  @Test
  void aStrangersCancelNeverTakesThePlaceOfTheOwners() {
    client.cancel("cancelled-early", "t", "owner first");
    client.cancel("cancelled-early", "mallory", "stranger after");
    client.cancel("kept", "mallory", "stranger only");
    GenerateRequest early = request("cancelled-early", "t").build();
    GenerateRequest kept = request("kept", "t").build();
    Map<TopicPartition, Long> cancels = kafka.endOffsets(names.control());
    await("the worker reads the cancels before the jobs arrive")
        .atMost(Duration.ofSeconds(30))
        .until(() -> worker.hasReadControl(cancels));
    client.submit(early);
    client.submit(kept);
    JobEvent cancelled = end(early);
    assertTrue(cancelled.hasCancelled(), cancelled.toString());
    assertTrue(
        cancelled.getCancelled().getReason().startsWith("owner first"), cancelled.toString());
    assertTrue(end(kept).hasCompleted(), "a stranger's cancel stops nothing");
  }

  @Test
  void anUnknownEnumNumberAnywhereIsRefusedNamingItsFieldAndTheWorkerServesOn() throws Exception {
    // a newer client's sampler kind: copied into the job's summary it threw on the scheduler
    // thread, the worker stopped, and every worker that read the uncommitted record after it
    // stopped the same way
    GenerateRequest newerKind =
        request("newer-kind", "t")
            .setSampler(SamplerSettings.newBuilder().setKindValue(99).setSteps(20))
            .build();
    GenerateRequest.Builder newerDtype = request("newer-dtype", "t");
    newerDtype.getConditioningBuilder().getInpaintingBuilder().getKnownBuilder().setDtypeValue(42);
    GenerateRequest.Builder newerPreview = request("newer-preview", "t");
    newerPreview.getPreviewBuilder().setKindValue(-5);
    for (GenerateRequest r : List.of(newerKind, newerDtype.build(), newerPreview.build())) {
      send(r.getJobId(), r.toByteArray());
    }
    assertRefused(newerKind, "sampler.kind");
    assertRefused(newerDtype.build(), "conditioning.inpainting.known.dtype");
    assertRefused(newerPreview.build(), "preview.kind");
    assertServesOn("after-unknown-enums");
  }

  @Test
  void aSubmissionTimeOutOfRangeIsRefusedAndEveryEventOfItPrintsAsJson() throws Exception {
    // printing its events as JSON threw on the gateway's event thread, and every tenant's streams
    // stopped
    GenerateRequest farFuture =
        request("far-future", "t")
            .setSubmittedAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE / 2))
            .build();
    send(farFuture.getJobId(), farFuture.toByteArray());
    assertRefused(farFuture, "submittedAt");
    var events =
        TopicRecords.readUntil(
            kafka.bootstrapServers(),
            names.jobEvents(),
            JobEvent::parseFrom,
            Duration.ofSeconds(30),
            m -> m.getOrDefault("far-future", List.of()).stream().anyMatch(JobEvent::hasFailed));
    var states =
        TopicRecords.readUntil(
            kafka.bootstrapServers(),
            names.jobState(),
            JobState::parseFrom,
            Duration.ofSeconds(30),
            m -> m.containsKey("far-future"));
    JsonFormat.Printer json = JsonFormat.printer();
    for (JobEvent e : events.get("far-future")) {
      assertFalse(json.print(e).isEmpty());
    }
    for (JobState s : states.get("far-future")) {
      assertFalse(json.print(s).isEmpty());
    }
    assertServesOn("after-far-future");
  }

  @Test
  void aModelNameNoTopicCanCarryIsNeverRoutedAndTheWorkerServesOn() throws Exception {
    // a heartbeat names such a model beside a fine one, as a buggy or hostile worker's would
    WorkerHeartbeat liar =
        WorkerHeartbeat.newBuilder()
            .setWorkerId("liar")
            .setTime(Times.now())
            .addModels(ModelVersion.newBuilder().setName("no such/topic").setVersion("1"))
            .addModels(ModelVersion.newBuilder().setName("elsewhere").setVersion("1"))
            .build();
    raw.send(new ProducerRecord<>(names.workers(), "liar", liar.toByteArray())).get();
    await().atMost(Duration.ofSeconds(30)).until(() -> worker.fleetModels().contains("elsewhere"));
    assertFalse(worker.fleetModels().contains("no such/topic"), "not part of the fleet");
    GenerateRequest r = request("bad-topic", "t").setModelName("no such/topic").build();
    send(
        r.getJobId(),
        r.toByteArray()); // it was routed to scorestream.jobs.model.no such/topic, and the
    assertRefused(r, "modelName"); // worker stopped when Kafka refused the topic
    assertServesOn("after-bad-topic");
  }

  @Test
  void aRecordKafkaRefusesForWhatItIsFailsAloneAndTheSinkSendsOn() throws Exception {
    List<Exception> refused = new CopyOnWriteArrayList<>();
    List<Exception> fatal = new CopyOnWriteArrayList<>();
    try (KafkaEventSink sink =
        new KafkaEventSink(
            KafkaClients.of(kafka.bootstrapServers()),
            names,
            "sink-test",
            Duration.ofSeconds(20),
            fatal::add)) {
      sink.forward("no such/topic", "k", new byte[] {1}, () -> {}, refused::add);
      await().atMost(Duration.ofSeconds(30)).until(() -> !refused.isEmpty() || !fatal.isEmpty());
      assertEquals(List.of(), fatal, "not fatal");
      assertEquals(1, sink.refusedRecords());
      AtomicBoolean acked = new AtomicBoolean();
      sink.forward(
          names.deadLetter(),
          "sink-test",
          DeadLetter.newBuilder().setReason("the sink goes on").build().toByteArray(),
          () -> acked.set(true),
          refused::add);
      await().atMost(Duration.ofSeconds(30)).untilTrue(acked);
      assertEquals(null, sink.fatalError());
      // a final event over a record's size: a small failed event, and its state, take its place
      JobEvent huge =
          JobEvent.newBuilder()
              .setJobId("too-large-end")
              .setAttempt(1)
              .setSequence(4)
              .setCompleted(
                  io.scorestream.proto.v1.Completed.newBuilder()
                      .setSamples(
                          Tensor.newBuilder()
                              .setDtype(DType.UINT8)
                              .addShape(Topics.MAX_MESSAGE_BYTES)
                              .setData(ByteString.copyFrom(new byte[Topics.MAX_MESSAGE_BYTES]))))
              .build();
      sink.publish(
          huge,
          JobState.newBuilder().setJobId("too-large-end").setAttempt(1).setLastSequence(4).build());
      var events =
          TopicRecords.readUntil(
              kafka.bootstrapServers(),
              names.jobEvents(),
              JobEvent::parseFrom,
              Duration.ofSeconds(30),
              m -> m.containsKey("too-large-end"));
      JobEvent instead = events.get("too-large-end").get(0);
      assertEquals("internal", instead.getFailed().getCode(), instead.toString());
      assertEquals(5, instead.getSequence());
      assertTrue(
          instead.getFailed().getReason().contains("could not be written"), instead.toString());
      var states =
          TopicRecords.readUntil(
              kafka.bootstrapServers(),
              names.jobState(),
              JobState::parseFrom,
              Duration.ofSeconds(30),
              m -> m.containsKey("too-large-end"));
      assertEquals(JobStatus.FAILED, states.get("too-large-end").get(0).getStatus());
      assertEquals(null, sink.fatalError(), "and the sink sends on");
    }
  }

  private void assertRefused(GenerateRequest r, String field) {
    JobEvent failed = end(r);
    assertEquals("invalid_request", failed.getFailed().getCode(), failed.toString());
    assertEquals(field, failed.getFailed().getField(), failed.getFailed().getReason());
  }
}
