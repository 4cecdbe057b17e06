package io.scorestream.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.sde.VeSde;
import io.scorestream.jobs.JobStates;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.proto.v1.Accepted;
import io.scorestream.proto.v1.Completed;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.JobStatus;
import io.scorestream.proto.v1.Progress;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.proto.v1.Started;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.testkit.TopicRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a worker killed between sending an event and its job state leaves behind: events in the log
 * one step ahead of the compacted state. The records such a worker would have written are put on
 * the topics directly, then a worker takes over the partitions, as a survivor would after the
 * group's session timeout, and must read the log back rather than trust the state alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedBroker.class)
@Tag("integration")
class LaggingStateTest {
  private static final ModelInfo INFO =
      new ModelInfo(
          "gmm-ve",
          "1",
          new VeSde(0.01, 10, 1),
          1e-5,
          new int[] {2},
          DataScaling.IDENTITY,
          0,
          TimeInput.TIME,
          "",
          -1);
  private static final GaussianMixture GMM =
      new GaussianMixture(new double[] {1}, new double[][] {{0, 0}}, new double[] {1});

  @TempDir static Path dir;
  private TopicNames names;
  private TestKafka kafka;
  private Path models;
  private Worker worker;
  private JobClient client;
  private KafkaProducer<String, byte[]> producer;

  @BeforeAll
  void start(TestKafka kafka) throws Exception {
    this.kafka = kafka;
    names = kafka.freshNames("laggingstate");
    Path models = TestModels.dir(dir, "gmm-ve.onnx", GaussianMixtureOnnx.build(GMM, INFO));
    this.models = models;
    client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names);
    producer = kafka.rawProducer();
  }

  /** The survivor: it is given the partitions after the dead worker's records are written. */
  private void takeOver() {
    worker =
        Worker.start(
            WorkerSettings.builder(kafka.bootstrapServers(), "survivor")
                .topics(names)
                .modelsDir(models)
                .intraOpThreads(1)
                .build());
  }

  @AfterEach
  void stopWorker() {
    if (worker != null) {
      worker.close();
      worker = null;
    }
  }

  @AfterAll
  void stop() {
    producer.close();
    client.close();
  }

  private static GenerateRequest request(String id) {
    return GenerateRequest.newBuilder()
        .setJobId(id)
        .setTenant("t")
        .setModelName("gmm-ve")
        .setNumSamples(2)
        .setSeed(5)
        .setSampler(SamplerSettings.newBuilder().setSteps(20))
        .build();
  }

  private static JobEvent event(String id, long sequence, JobEvent.Builder kind) {
    return kind.setJobId(id).setAttempt(1).setSequence(sequence).setTime(Times.now()).build();
  }

  /**
   * Writes what the dead worker got out: all of {@code events}, and the state after all but the
   * last.
   */
  private void leaveBehind(GenerateRequest request, List<JobEvent> events) throws Exception {
    JobState.Builder state =
        JobState.newBuilder()
            .setJobId(request.getJobId())
            .setTenant("t")
            .setModelName("gmm-ve")
            .setSummary(JobStates.summary(request))
            .setRequestDigest(RequestDigest.of(request));
    for (JobEvent e : events.subList(0, events.size() - 1)) {
      JobStates.apply(state, e);
    }
    producer
        .send(
            new ProducerRecord<>(names.jobState(), request.getJobId(), state.build().toByteArray()))
        .get();
    for (JobEvent e : events) {
      producer
          .send(new ProducerRecord<>(names.jobEvents(), request.getJobId(), e.toByteArray()))
          .get();
    }
  }

  @Test
  void aJobWhoseFinalEventOutranItsStateIsNotRunAgainAndItsStateIsMended() throws Exception {
    GenerateRequest request = request("completed-before-death");
    Completed result =
        Completed.newBuilder()
            .setNfe(40)
            .setSamples(Tensors.of(new float[] {1, 2, 3, 4}, 2, new int[] {2}))
            .build();
    leaveBehind(
        request,
        List.of(
            event(
                request.getJobId(),
                0,
                JobEvent.newBuilder().setAccepted(Accepted.newBuilder().setRequest(request))),
            event(
                request.getJobId(),
                1,
                JobEvent.newBuilder().setStarted(Started.newBuilder().setWorkerId("dead"))),
            event(request.getJobId(), 2, JobEvent.newBuilder().setCompleted(result))));
    client.submit(request);
    takeOver();

    JobState mended =
        TopicRecords.readUntil(
                kafka.bootstrapServers(),
                names.jobState(),
                JobState::parseFrom,
                Duration.ofSeconds(60),
                m ->
                    m.getOrDefault(request.getJobId(), List.of()).stream()
                        .anyMatch(s -> s.getStatus() == JobStatus.SUCCEEDED))
            .get(request.getJobId())
            .stream()
            .filter(s -> s.getStatus() == JobStatus.SUCCEEDED)
            .findFirst()
            .orElseThrow();
    assertEquals(2, mended.getLastSequence());
    assertEquals(result, mended.getResult(), "the mended state carries the result from the log");
    assertEquals(
        request.getNumSamples(), mended.getSummary().getNumSamples(), "and the request's summary");
    assertEquals(RequestDigest.of(request), mended.getRequestDigest());
    assertEquals("dead", mended.getWorkerId());

    // the mended state is written instead of running the job: nothing after the dead worker's three
    // events
    client.submit(request("marker"));
    Map<String, List<JobEvent>> events =
        TopicRecords.readUntil(
            kafka.bootstrapServers(),
            names.jobEvents(),
            JobEvent::parseFrom,
            Duration.ofSeconds(60),
            m -> m.getOrDefault("marker", List.of()).stream().anyMatch(JobEvent::hasCompleted));
    assertEquals(
        3,
        events.get(request.getJobId()).size(),
        "not run again: " + events.get(request.getJobId()));
  }

  @Test
  void aJobWhoseStateLaggedContinuesAfterTheNewestEventInTheLog() throws Exception {
    GenerateRequest request = request("progressed-before-death");
    leaveBehind(
        request,
        List.of(
            event(
                request.getJobId(),
                0,
                JobEvent.newBuilder().setAccepted(Accepted.newBuilder().setRequest(request))),
            event(
                request.getJobId(),
                1,
                JobEvent.newBuilder().setStarted(Started.newBuilder().setWorkerId("dead"))),
            event(
                request.getJobId(),
                2,
                JobEvent.newBuilder().setProgress(Progress.newBuilder().setStep(7)))));
    client.submit(request);
    takeOver();

    List<JobEvent> mine =
        TopicRecords.readUntil(
                kafka.bootstrapServers(),
                names.jobEvents(),
                JobEvent::parseFrom,
                Duration.ofSeconds(60),
                m ->
                    m.getOrDefault(request.getJobId(), List.of()).stream()
                        .anyMatch(JobEvent::hasCompleted))
            .get(request.getJobId());
    List<JobEvent> second = mine.stream().filter(e -> e.getAttempt() == 2).toList();
    assertTrue(second.get(0).hasAccepted());
    assertEquals(
        3, second.get(0).getSequence(), "numbering goes on after the event the state missed");
    for (int i = 1; i < mine.size(); i++) {
      assertTrue(
          mine.get(i).getSequence() > mine.get(i - 1).getSequence(), "no sequence number twice");
    }
    assertEquals(1, mine.stream().filter(JobEvent::hasCompleted).count());
  }
}
