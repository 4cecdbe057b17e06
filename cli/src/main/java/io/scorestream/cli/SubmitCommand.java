package io.scorestream.cli;

import io.scorestream.gateway.client.GatewayJobs;
import io.scorestream.jobs.RequestChecks;
import io.scorestream.jobs.RequestDigest;
import io.scorestream.jobs.cli.KafkaOptions;
import io.scorestream.jobs.kafka.FleetView;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.proto.v1.GenerateRequest;
import io.scorestream.proto.v1.PreviewKind;
import io.scorestream.proto.v1.PreviewSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream submit}: enqueues a job and, with --watch, follows it to its end and writes
 * the result.
 */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = "Enqueue a generation job on Kafka, or through a gateway's HTTP API (--gateway).")
final class SubmitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin KafkaOptions kafka;
  @Mixin GatewayOptions gatewayOptions;

  @Option(
      names = "--idempotency-key",
      paramLabel = "K",
      description = "with --gateway: a retried submit with the same key is the same job")
  String idempotencyKey;

  @Mixin SamplerOptions samplerOptions;

  @Option(names = "--model", required = true, paramLabel = "NAME")
  String model;

  @Option(
      names = "--model-version",
      paramLabel = "V",
      description = "default: the newest the worker has")
  String modelVersion;

  @Option(names = "--samples", defaultValue = "64", paramLabel = "M")
  int samples;

  @Option(
      names = "--label",
      paramLabel = "Y",
      description =
          "class label, once for every sample or once per sample:"
              + " for a class-conditional model, or the class to guide to with --classifier")
  List<Long> labels;

  @Option(
      names = "--classifier",
      paramLabel = "NAME",
      description =
          "guide each sample to its --label with this noise-conditional classifier the fleet serves")
  String classifier;

  @Option(
      names = "--classifier-version",
      paramLabel = "V",
      description = "default: the newest served")
  String classifierVersion;

  @Option(
      names = "--guidance-scale",
      paramLabel = "W",
      description = "0 to 100 (default 1: Bayes' rule)")
  Double guidanceScale;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S")
  long seed;

  @Option(
      names = "--priority",
      defaultValue = "0",
      paramLabel = "P",
      description = "higher runs first")
  int priority;

  @Option(names = "--tenant", defaultValue = "default", paramLabel = "T")
  String tenant;

  @Option(names = "--job-id", paramLabel = "ID", description = "default: a random UUID")
  String jobId;

  @Option(names = "--watch", description = "follow the job's events and write its result")
  boolean watch;

  @Option(
      names = "--timeout",
      defaultValue = "3600",
      paramLabel = "SECONDS",
      description = "how long --watch waits")
  long timeout;

  @Option(names = "--out", defaultValue = "samples.npy", paramLabel = "FILE.npy|FILE.png")
  Path out;

  @Option(
      names = "--preview-every",
      defaultValue = "0",
      paramLabel = "K",
      description = "a preview of the samples every K steps (0: none)")
  int previewEvery;

  @Option(
      names = "--preview-rate",
      defaultValue = "0",
      paramLabel = "R",
      description = "at most R previews a second (0: no limit; alone: previews at that rate)")
  double previewRate;

  @Option(
      names = "--preview-kind",
      defaultValue = "current",
      paramLabel = "current|denoised",
      description = "the current x, or the denoised (Tweedie) estimate of the clean samples")
  String previewKind;

  @Option(
      names = "--preview-out",
      paramLabel = "FILE.npy|FILE.png",
      description = "with --watch, overwrite this file with each preview as it comes")
  Path previewOut;

  @Override
  public Integer call() throws Exception {
    gatewayOptions.checkExclusive(kafka);
    boolean viaGateway = gatewayOptions.given();
    GenerateRequest request;
    try {
      if (viaGateway && (jobId != null || given("--tenant"))) {
        throw new IllegalArgumentException(
            "through a gateway, the gateway names the job and the API key its tenant;"
                + " leave out --job-id and --tenant (--idempotency-key makes a retried submit safe)");
      }
      if (!viaGateway && idempotencyKey != null) {
        throw new IllegalArgumentException(
            "--idempotency-key goes with --gateway; on Kafka, --job-id does that");
      }
      if (samples <= 0) {
        throw new IllegalArgumentException("--samples must be positive, got " + samples);
      }
      if (timeout <= 0) {
        throw new IllegalArgumentException(
            "--timeout must be a positive number of seconds, got " + timeout);
      }
      if (watch && SampleFiles.problem("--out", out) != null) {
        throw new IllegalArgumentException(SampleFiles.problem("--out", out));
      }
      if (previewOut != null && SampleFiles.problem("--preview-out", previewOut) != null) {
        throw new IllegalArgumentException(SampleFiles.problem("--preview-out", previewOut));
      }
      GenerateRequest.Builder b =
          GenerateRequest.newBuilder()
              .setJobId(jobId != null ? jobId : UUID.randomUUID().toString())
              .setTenant(tenant)
              .setModelName(model)
              .setSampler(samplerOptions.toSettings())
              .setNumSamples(samples)
              .setSeed(seed)
              .setPriority(priority)
              .setPreview(previewSettings());
      if (modelVersion != null) {
        b.setModelVersion(modelVersion);
      }
      if (labels != null) {
        b.getConditioningBuilder().getClassLabelsBuilder().addAllLabels(labels);
      }
      if (classifier != null && labels == null) {
        throw new IllegalArgumentException(
            "--classifier guides each sample to its --label: give --label Y (once for"
                + " all samples, or once per sample)");
      }
      if (classifier != null) {
        var g = b.getGuidanceBuilder().setClassifier(classifier);
        if (classifierVersion != null) {
          g.setClassifierVersion(classifierVersion);
        }
        if (guidanceScale != null) {
          g.setScale(guidanceScale);
        }
      } else if (classifierVersion != null || guidanceScale != null) {
        throw new IllegalArgumentException(
            "--classifier-version and --guidance-scale go with --classifier");
      }
      request = JobClient.stamped(b.build());
      // the checks every worker runs, run here first: a request no worker takes is not sent
      var problem =
          new RequestChecks(new RequestChecks.Limits(Integer.MAX_VALUE, Long.MAX_VALUE))
              .check(request);
      if (problem.isPresent()) {
        throw new IllegalArgumentException(problem.get().message());
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    if (viaGateway) {
      return throughGateway(request, err);
    }
    KafkaClients clients = kafka.clients();
    checkShape(clients);
    try (JobClient client =
        new JobClient(
            clients,
            kafka.topics(),
            JobClient.Patience.of(
                line -> {
                  err.println(line);
                  err.flush();
                }))) {
      // the job's events come after this; a minute's slack covers workers whose clocks run behind
      // this one's
      Instant followFrom = Instant.now().minus(Duration.ofMinutes(1));
      client.submit(request);
      spec.commandLine().getOut().println(request.getJobId());
      spec.commandLine().getOut().flush();
      if (!watch) {
        return 0;
      }
      new JobWatch(err, out, previewOut, samples)
          .follow(
              client,
              request.getJobId(),
              RequestDigest.of(request),
              followFrom,
              Duration.ofSeconds(timeout));
    }
    return 0;
  }

  /** Whether an option was given on the command line (not taken from its default). */
  private boolean given(String option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  /**
   * Submits through a gateway: the request without id, tenant or time (the gateway sets them) and
   * without a seed unless one was given (the gateway draws one); then, with --watch, follows its
   * event stream.
   */
  private int throughGateway(GenerateRequest stamped, PrintWriter err) throws Exception {
    GenerateRequest.Builder b = stamped.toBuilder().clearJobId().clearTenant().clearSubmittedAt();
    if (!given("--seed")) {
      b.clearSeed();
    }
    GatewayJobs gateway = gatewayOptions.client();
    if (watch && (SampleFiles.isPng(out) || previewOut != null && SampleFiles.isPng(previewOut))) {
      checkShape(gateway.dataShape(model));
    }
    String id = gateway.submit(b.build(), idempotencyKey).getString("jobId");
    spec.commandLine().getOut().println(id);
    spec.commandLine().getOut().flush();
    if (watch) {
      new JobWatch(err, out, previewOut, samples).follow(gateway, id, Duration.ofSeconds(timeout));
    }
    return 0;
  }

  /**
   * Refuses, before the job is sent, a PNG output for a model whose samples are not images, when
   * the fleet's heartbeats say what the model is (a model no worker announced is left to the
   * workers to judge).
   */
  private void checkShape(KafkaClients clients) {
    boolean png =
        watch && SampleFiles.isPng(out) || previewOut != null && SampleFiles.isPng(previewOut);
    if (!png) {
      return;
    }
    var known =
        FleetView.snapshot(clients, kafka.topics(), Duration.ofSeconds(15))
            .model(model, Instant.now(), FleetView.LIVENESS);
    checkShape(known.map(m -> m.getDataShapeList().stream().mapToInt(Integer::intValue).toArray()));
  }

  /**
   * Refuses a PNG output for samples of this shape (nothing to judge when the model is not known).
   */
  private void checkShape(Optional<int[]> dataShape) {
    if (dataShape.isEmpty()) {
      return;
    }
    int[] shape = dataShape.get();
    for (Path file : new Path[] {watch ? out : null, previewOut}) {
      if (file != null && SampleFiles.shapeProblem(file, shape) != null) {
        throw new ParameterException(
            spec.commandLine(),
            (file == out ? "--out " : "--preview-out ")
                + file
                + ": "
                + SampleFiles.shapeProblem(file, shape)
                + " (model "
                + model
                + ")");
      }
    }
  }

  private PreviewSettings previewSettings() {
    if (previewEvery < 0 || previewRate < 0) {
      throw new IllegalArgumentException("--preview-every and --preview-rate must not be negative");
    }
    PreviewKind kind =
        switch (previewKind) {
          case "current" -> PreviewKind.CURRENT;
          case "denoised" -> PreviewKind.DENOISED;
          default ->
              throw new IllegalArgumentException(
                  "--preview-kind must be current or denoised, got '" + previewKind + "'");
        };
    // asking for a preview file and no cadence: two a second
    double rate = previewOut != null && previewEvery == 0 && previewRate == 0 ? 2 : previewRate;
    return PreviewSettings.newBuilder()
        .setEverySteps(previewEvery)
        .setMaxPerSecond(rate)
        .setKind(kind)
        .build();
  }
}
