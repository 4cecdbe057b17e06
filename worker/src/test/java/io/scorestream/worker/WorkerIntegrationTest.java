package io.scorestream.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.analytic.GaussianMixture;
import io.scorestream.core.model.DataScaling;
import io.scorestream.core.model.GuidedScoreModel;
import io.scorestream.core.model.ModelInfo;
import io.scorestream.core.model.ScoreModel;
import io.scorestream.core.model.TimeInput;
import io.scorestream.core.onnx.GaussianMixtureOnnx;
import io.scorestream.core.ort.OrtRuntime;
import io.scorestream.core.sample.BatchEvaluator;
import io.scorestream.core.sample.Samplers;
import io.scorestream.core.sample.SamplingProcess;
import io.scorestream.core.sde.VeSde;
import io.scorestream.jobs.JobCodec;
import io.scorestream.jobs.Tensors;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.proto.v1.DeadLetter;
import io.scorestream.proto.v1.Failed;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.PreviewKind;
import io.scorestream.proto.v1.PreviewSettings;
import io.scorestream.proto.v1.Progress;
import io.scorestream.proto.v1.SamplerKind;
import io.scorestream.proto.v1.SamplerSettings;
import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import io.scorestream.testkit.TopicRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One worker on the real embedded broker: jobs complete once with core's samples, cancels, bad
 * records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedBroker.class)
@Tag("integration")
class WorkerIntegrationTest {
  private static final GaussianMixture GMM =
      new GaussianMixture(
          new double[] {0.6, 0.4}, new double[][] {{-1, 0}, {1.5, 1}}, new double[] {0.4, 0.3});
  private static final ModelInfo INFO =
      new ModelInfo(
          "gmm-ve",
          "1",
          new VeSde(0.01, 50, 1),
          1e-5,
          new int[] {2},
          DataScaling.IDENTITY,
          0,
          TimeInput.TIME,
          "",
          -1);

  @TempDir static Path dir;
  private TestKafka kafka;
  private Worker worker;
  private JobClient client;
  private TopicNames names;
  private final OrtRuntime runtime = new OrtRuntime(1);
  private ScoreModel reference;

  /**
   * The exact classifier of {@link #GMM}'s two components, which guides the model to one of them.
   */
  private final byte[] classifierOnnx =
      GaussianMixtureOnnx.classifier(
          GMM,
          new ModelInfo(
              "gmm-ve-modes",
              "1",
              INFO.sde(),
              INFO.eps(),
              INFO.dataShape(),
              INFO.scaling(),
              2,
              INFO.timeInput(),
              "",
              -1));

  private ScoreModel classifier;

  /** Samples of 64 values, enough for the adaptive sampler. */
  private final byte[] normal64Onnx = TestModels.standardNormal("normal64", "1", 64);

  private ScoreModel normal64;

  @BeforeAll
  void start(TestKafka kafka) throws Exception {
    this.kafka = kafka;
    names = kafka.freshNames("workerintegration");
    byte[] onnx = GaussianMixtureOnnx.build(GMM, INFO);
    Path models = TestModels.dir(dir, "gmm-ve.onnx", onnx);
    Files.write(models.resolve("gmm-ve-modes.onnx"), classifierOnnx);
    Files.write(models.resolve("normal64.onnx"), normal64Onnx);
    normal64 = runtime.load(normal64Onnx, "normal64");
    reference = runtime.load(onnx, "gmm-ve");
    classifier = runtime.loadClassifier(classifierOnnx, "gmm-ve-modes");
    worker =
        Worker.start(
            WorkerSettings.builder(kafka.bootstrapServers(), "w1")
                .topics(names)
                .modelsDir(models)
                .maxBatch(4096)
                .maxActiveSamples(100_000)
                .maxSamplesPerJob(10_000)
                .intraOpThreads(1)
                .metricsPort(0)
                .build());
    client = new JobClient(KafkaClients.of(kafka.bootstrapServers()), names);
  }

  @AfterAll
  void stop() {
    client.close();
    worker.close();
    reference.close();
    classifier.close();
    normal64.close();
  }

  private static GenerateRequest request(
      String id, int samples, long seed, SamplerSettings sampler) {
    return GenerateRequest.newBuilder()
        .setJobId(id)
        .setTenant("t")
        .setModelName("gmm-ve")
        .setNumSamples(samples)
        .setSeed(seed)
        .setSampler(sampler)
        .build();
  }

  private float[] alone(GenerateRequest request) {
    return aloneProcess(request, reference).result();
  }

  private static SamplingProcess aloneProcess(GenerateRequest request, ScoreModel model) {
    SamplingProcess p =
        Samplers.start(
            JobCodec.samplerSpec(request.getSampler()),
            model.info(),
            request.getNumSamples(),
            request.getSeed(),
            null);
    new BatchEvaluator(model, 4096).runToCompletion(List.of(p), () -> {});
    return p;
  }

  /**
   * Reads every job event from the beginning until {@code done} holds for the events seen, grouped
   * by job.
   */
  private Map<String, List<JobEvent>> events(Predicate<Map<String, List<JobEvent>>> done)
      throws Exception {
    return TopicRecords.readUntil(
        kafka.bootstrapServers(),
        names.jobEvents(),
        JobEvent::parseFrom,
        Duration.ofSeconds(120),
        done);
  }

  private static boolean finalIn(List<JobEvent> events) {
    return events != null
        && events.stream().anyMatch(e -> e.hasCompleted() || e.hasFailed() || e.hasCancelled());
  }

  @Test
  void concurrentJobsCompleteOnceWithTheSamplesCoreGivesAlone() throws Exception {
    List<GenerateRequest> requests = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      SamplerSettings sampler =
          i % 3 == 0
              ? SamplerSettings.newBuilder()
                  .setKind(SamplerKind.ODE)
                  .setRtol(1e-3)
                  .setAtol(1e-3)
                  .build()
              : SamplerSettings.newBuilder().setSteps(50 + 10 * (i % 7)).build();
      requests.add(request("batch-" + i, 1 + i % 5, 1000 + i, sampler));
    }
    requests.forEach(client::submit);
    Map<String, List<JobEvent>> events =
        events(m -> requests.stream().allMatch(r -> finalIn(m.get(r.getJobId()))));
    for (GenerateRequest r : requests) {
      List<JobEvent> mine = events.get(r.getJobId());
      assertEquals(
          1,
          mine.stream().filter(JobEvent::hasCompleted).count(),
          r.getJobId() + " completed once");
      for (int i = 0; i < mine.size(); i++) {
        assertEquals(i, mine.get(i).getSequence(), "sequence numbers without gaps or duplicates");
        assertEquals(1, mine.get(i).getAttempt());
      }
      assertTrue(mine.get(0).hasAccepted() && mine.get(1).hasStarted());
      JobEvent completed = mine.get(mine.size() - 1);
      SameSamples.assertSame(
          alone(r), Tensors.floats(completed.getCompleted().getSamples()), r.getJobId());
    }
  }

  @Test
  void fastSamplerJobsBatchedWithReferenceJobsGiveTheSamplesAndNfeCoreGivesAlone()
      throws Exception {
    List<GenerateRequest> requests = new ArrayList<>();
    requests.add(request("fast-pc", 3, 1, SamplerSettings.newBuilder().setSteps(80).build()));
    requests.add(
        request(
            "fast-dpm-3m",
            4,
            2,
            SamplerSettings.newBuilder().setKind(SamplerKind.DPM_SOLVER).setOrder(3).build()));
    requests.add(
        request(
            "fast-sde-dpm",
            5,
            3,
            SamplerSettings.newBuilder()
                .setKind(SamplerKind.DPM_SOLVER)
                .setStochastic(true)
                .setSteps(20)
                .build()));
    requests.add(
        request(
            "fast-edm",
            2,
            4,
            SamplerSettings.newBuilder().setKind(SamplerKind.EDM).setChurn(5).build()));
    GenerateRequest adaptive =
        request(
                "fast-adaptive",
                6,
                5,
                SamplerSettings.newBuilder().setKind(SamplerKind.ADAPTIVE).build())
            .toBuilder()
            .setModelName("normal64")
            .build();
    requests.forEach(client::submit);
    client.submit(adaptive);
    Map<String, List<JobEvent>> events =
        events(
            m ->
                finalIn(m.get(adaptive.getJobId()))
                    && requests.stream().allMatch(r -> finalIn(m.get(r.getJobId()))));
    for (GenerateRequest r : requests) {
      JobEvent done = last(events, r.getJobId());
      assertTrue(done.hasCompleted(), done.toString());
      SamplingProcess alone = aloneProcess(r, reference);
      SameSamples.assertSame(
          alone.result(), Tensors.floats(done.getCompleted().getSamples()), r.getJobId());
      assertEquals(alone.nfe(), done.getCompleted().getNfe(), r.getJobId() + " NFE");
    }
    JobEvent done = last(events, adaptive.getJobId());
    assertTrue(done.hasCompleted(), done.toString());
    SamplingProcess alone = aloneProcess(adaptive, normal64);
    SameSamples.assertSame(
        alone.result(), Tensors.floats(done.getCompleted().getSamples()), "adaptive");
    assertEquals(alone.nfe(), done.getCompleted().getNfe(), "adaptive NFE, rejections included");
  }

  @Test
  void inpaintingJobsRunBesideSamplingJobsKeepTheirKnownValuesAndMatchCoreAlone() throws Exception {
    SamplerSettings sampler = SamplerSettings.newBuilder().setSteps(60).build();
    GenerateRequest plain = request("beside-inpainting", 3, 7, sampler);
    GenerateRequest.Builder b = request("inpainting", 4, 8, sampler).toBuilder();
    b.getConditioningBuilder()
        .getInpaintingBuilder()
        .setKnown(Tensors.of(new float[] {0, 0.75f}, 1, new int[] {2}))
        .setMask(Tensors.of(new float[] {0, 1}, 1, new int[] {2}))
        .setParticles(3);
    GenerateRequest inpainting = b.build();
    client.submit(plain);
    client.submit(inpainting);
    Map<String, List<JobEvent>> events =
        events(m -> finalIn(m.get("inpainting")) && finalIn(m.get("beside-inpainting")));
    JobEvent done = last(events, "inpainting");
    assertTrue(done.hasCompleted(), done.toString());
    float[] x = Tensors.floats(done.getCompleted().getSamples());
    assertEquals(8, x.length);
    for (int i = 0; i < 4; i++) {
      assertEquals(0.75f, x[2 * i + 1], "sample " + i + " keeps its known coordinate");
    }
    JobCodec.Decoded decoded = JobCodec.decode(inpainting);
    SamplingProcess alone =
        Samplers.impute(
            decoded.spec(),
            reference.info(),
            decoded.inverse().measurement(reference.info(), 4),
            3,
            8,
            null,
            io.scorestream.core.sample.PcSchedules.none());
    new BatchEvaluator(reference, 4096).runToCompletion(List.of(alone), () -> {});
    SameSamples.assertSame(alone.result(), x, "inpainting");
    SameSamples.assertSame(
        alone(plain),
        Tensors.floats(last(events, "beside-inpainting").getCompleted().getSamples()),
        "beside-inpainting");
  }

  /**
   * Guided jobs with the same guidance share the worker's batched calls with each other and with a
   * plain job, and each gives exactly the samples core gives running it alone on the model guided
   * by the same classifier.
   */
  @Test
  void guidedJobsBatchedWithOthersGiveTheSamplesCoreGivesAlone() throws Exception {
    SamplerSettings sampler = SamplerSettings.newBuilder().setSteps(80).build();
    GenerateRequest plain = request("beside-guided", 3, 21, sampler);
    List<GenerateRequest> guided = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      GenerateRequest.Builder b = request("guided-" + k, 5, 30 + k, sampler).toBuilder();
      b.getConditioningBuilder().getClassLabelsBuilder().addLabels(k);
      b.getGuidanceBuilder().setClassifier("gmm-ve-modes").setScale(1.5);
      guided.add(b.build());
    }
    client.submit(plain);
    guided.forEach(client::submit);
    Map<String, List<JobEvent>> events =
        events(
            m ->
                finalIn(m.get("beside-guided"))
                    && guided.stream().allMatch(r -> finalIn(m.get(r.getJobId()))));
    ScoreModel model = new GuidedScoreModel(reference, classifier, 1.5);
    for (GenerateRequest r : guided) {
      JobEvent done = last(events, r.getJobId());
      assertTrue(done.hasCompleted(), done.toString());
      long[] labels = new long[r.getNumSamples()];
      Arrays.fill(labels, r.getConditioning().getClassLabels().getLabels(0));
      SamplingProcess p =
          Samplers.start(
              JobCodec.samplerSpec(sampler), model.info(), r.getNumSamples(), r.getSeed(), labels);
      new BatchEvaluator(model, 4096).runToCompletion(List.of(p), () -> {});
      SameSamples.assertSame(
          p.result(), Tensors.floats(done.getCompleted().getSamples()), r.getJobId());
    }
    SameSamples.assertSame(
        alone(plain),
        Tensors.floats(last(events, "beside-guided").getCompleted().getSamples()),
        "beside-guided");
  }

  @Test
  void jobSubmittedAgainWhileHereAndAfterItsEndCompletesOnce() throws Exception {
    GenerateRequest twice =
        request("twice", 2, 5, SamplerSettings.newBuilder().setSteps(2000).build());
    client.submit(twice);
    client.submit(twice);
    events(m -> finalIn(m.get("twice")));
    client.submit(twice);
    // a job on the same partition, so the worker has judged the third record once this one
    // completes
    String marker =
        IntStream.range(0, 10_000)
            .mapToObj(i -> "marker-" + i)
            .filter(id -> partitionOf(id) == partitionOf("twice"))
            .findFirst()
            .orElseThrow();
    client.submit(request(marker, 1, 6, SamplerSettings.newBuilder().setSteps(20).build()));
    List<JobEvent> mine = events(m -> finalIn(m.get(marker))).get("twice");
    assertEquals(1, mine.stream().filter(JobEvent::hasStarted).count(), "started once");
    assertEquals(1, mine.stream().filter(JobEvent::hasCompleted).count(), "completed once");
    assertTrue(mine.get(mine.size() - 1).hasCompleted(), "nothing after its completion");
  }

  /** The job partition Kafka's default partitioner gives a key. */
  private int partitionOf(String key) {
    return org.apache.kafka.common.utils.Utils.toPositive(
            org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(StandardCharsets.UTF_8)))
        % Topics.JOB_PARTITIONS;
  }

  @Test
  void followingFromATimeReadsOnlyTheEventsWrittenSince() {
    client.submit(request("followed", 2, 9, SamplerSettings.newBuilder().setSteps(20).build()));
    Instant before = Instant.now().minusSeconds(60);
    assertTrue(
        client.follow("followed", null, before, Duration.ofSeconds(60), e -> {}).hasCompleted());
    List<JobEvent> all = new ArrayList<>();
    client.follow("followed", null, null, Duration.ofSeconds(60), all::add);
    assertTrue(all.get(0).hasAccepted(), "from the start of the partition");
    var later = Instant.now().plusSeconds(3600);
    assertThrows(
        IllegalStateException.class,
        () -> client.follow("followed", null, later, Duration.ofSeconds(2), e -> {}),
        "nothing of the job is written after that time");
  }

  @Test
  void cancellingARunningJobStopsItAndTheWorkerGoesOn() throws Exception {
    client.submit(request("long", 4, 1, SamplerSettings.newBuilder().setSteps(400_000).build()));
    events(m -> m.getOrDefault("long", List.of()).stream().anyMatch(JobEvent::hasStarted));
    client.cancel("long", "someone-else", "not yours to cancel");
    client.cancel("long", "t", "the owner cancels");
    client.cancel("no-such-job", "t", "nothing to cancel");
    client.submit(request("after", 2, 2, SamplerSettings.newBuilder().setSteps(20).build()));
    Map<String, List<JobEvent>> events =
        events(m -> finalIn(m.get("long")) && finalIn(m.get("after")));
    JobEvent end = last(events, "long");
    assertTrue(end.hasCancelled());
    assertEquals(
        "the owner cancels", end.getCancelled().getReason(), "another tenant's cancel is ignored");
    assertTrue(last(events, "after").hasCompleted());
  }

  @Test
  void previewsAreTheDenoisedEstimateWhenTheRequestAsksForIt() throws Exception {
    GenerateRequest request =
        request("denoised", 3, 5, SamplerSettings.newBuilder().setSteps(40).build()).toBuilder()
            .setPreview(
                PreviewSettings.newBuilder().setEverySteps(10).setKind(PreviewKind.DENOISED))
            .build();
    client.submit(request);
    List<JobEvent> mine = events(m -> finalIn(m.get("denoised"))).get("denoised");
    List<Progress> previews =
        mine.stream()
            .filter(JobEvent::hasProgress)
            .map(JobEvent::getProgress)
            .filter(Progress::hasPreview)
            .toList();
    assertEquals(
        List.of(10, 20, 30), previews.stream().map(Progress::getStep).toList(), "every 10 steps");
    for (Progress p : previews) {
      assertEquals(PreviewKind.DENOISED, p.getPreviewKind());
      assertEquals(List.of(3L, 2L), p.getPreview().getShapeList());
    }
    assertTrue(last(Map.of("denoised", mine), "denoised").hasCompleted());
  }

  @Test
  void badRecordsFailWithAReasonAndUnparseableBytesGoToDeadLetter() throws Exception {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(names.jobs(), "poison", new byte[] {(byte) 0xff, 0x13, 0x37}))
          .get();
    }
    client.submit(
        request("unknown-model", 2, 1, SamplerSettings.getDefaultInstance()).toBuilder()
            .setModelName("nope")
            .build());
    client.submit(
        request("negative-steps", 2, 1, SamplerSettings.newBuilder().setSteps(-5).build()));
    client.submit(request("too-many", 1_000_000, 1, SamplerSettings.getDefaultInstance()));
    client.submit(
        request("too-long", 1, 1, SamplerSettings.newBuilder().setSteps(100_000_000).build()));
    Map<String, List<JobEvent>> events =
        events(
            m ->
                List.of("poison", "unknown-model", "negative-steps", "too-many", "too-long")
                    .stream()
                    .allMatch(id -> finalIn(m.get(id))));
    assertEquals("unparseable", last(events, "poison").getFailed().getCode());
    assertEquals(
        "unknown model 'nope': no worker in the fleet serves it",
        last(events, "unknown-model").getFailed().getReason());
    assertEquals("unknown_model", last(events, "unknown-model").getFailed().getCode());
    Failed negative = last(events, "negative-steps").getFailed();
    assertEquals("sampler.steps: steps must be positive, got -5", negative.getReason());
    assertEquals("sampler.steps", negative.getField());
    assertEquals("invalid_request", negative.getCode());
    Failed tooMany = last(events, "too-many").getFailed();
    assertTrue(
        tooMany.getReason().contains("over the limit of 10000 samples per job"),
        tooMany.getReason());
    assertEquals("too_large", tooMany.getCode());
    assertEquals(
        "sampler.steps: steps x (1 + corrector steps) must be at most 1000000 score evaluations, got "
            + "200000000",
        last(events, "too-long").getFailed().getReason());
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(names.deadLetter()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      DeadLetter letter = null;
      for (int i = 0; i < 50 && letter == null; i++) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          letter = DeadLetter.parseFrom(r.value());
        }
      }
      assertTrue(letter != null, "a dead letter arrived");
      assertEquals("poison", letter.getKey().toStringUtf8());
      assertEquals(3, letter.getValue().size());
    }
  }

  private static JobEvent last(Map<String, List<JobEvent>> events, String id) {
    List<JobEvent> mine = events.get(id);
    return mine.get(mine.size() - 1);
  }

  @Test
  void metricsEndpointServesJobCountsAndModelCallsInPrometheusFormat() throws Exception {
    double before = metric(scrape(), "scorestream_worker_jobs_total", "status=\"succeeded\"");
    List<GenerateRequest> requests =
        List.of(
            request("metrics-1", 2, 1, SamplerSettings.newBuilder().setSteps(30).build()),
            request("metrics-2", 5, 2, SamplerSettings.newBuilder().setSteps(40).build()),
            request("metrics-bad", 1, 3, SamplerSettings.newBuilder().setSteps(10).build())
                .toBuilder()
                .setModelName("no-such-model")
                .build());
    requests.forEach(client::submit);
    events(m -> requests.stream().allMatch(r -> finalIn(m.get(r.getJobId()))));
    // the counter moves right after the final event is handed to the producer, so allow a moment
    String text =
        await("the succeeded counter moves")
            .atMost(Duration.ofSeconds(5))
            .until(
                this::scrape,
                t ->
                    metric(t, "scorestream_worker_jobs_total", "status=\"succeeded\"")
                        >= before + 2);
    assertTrue(
        metric(text, "scorestream_worker_jobs_total", "status=\"succeeded\"") >= before + 2, text);
    assertTrue(metric(text, "scorestream_worker_samples_total", "worker=\"w1\"") >= 7);
    assertTrue(
        metric(text, "scorestream_worker_score_evaluations_total", "model=\"gmm-ve\"")
            >= 2 * 30 + 5 * 40);
    assertTrue(
        metric(text, "scorestream_worker_model_call_seconds_count", "model=\"gmm-ve\"") >= 40);
    assertTrue(
        metric(text, "scorestream_worker_jobs_failed_total", "code=\"invalid_request\"") >= 1,
        text);
    assertTrue(text.contains("scorestream_worker_jobs_backlog{"), text);
    assertTrue(text.contains("scorestream_worker_models_retired{"), text);
    assertTrue(text.contains("jvm_memory_used_bytes"), "JVM meters are there too");
  }

  private String scrape() throws Exception {
    var http = HttpClient.newHttpClient();
    var response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://localhost:" + worker.metricsPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    return response.body();
  }

  /**
   * The value of the first sample of {@code name} whose labels contain {@code label}, or 0 when
   * there is none.
   */
  private static double metric(String text, String name, String label) {
    return text.lines()
        .filter(l -> l.startsWith(name + "{") && l.contains(label))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
  }
}
