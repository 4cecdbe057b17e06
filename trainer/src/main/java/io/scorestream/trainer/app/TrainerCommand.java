package io.scorestream.trainer.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scorestream.core.sde.Sde;
import io.scorestream.jobs.cli.CommandLines;
import io.scorestream.jobs.cli.KafkaOptions;
import io.scorestream.jobs.cli.MetricsOptions;
import io.scorestream.jobs.cli.ServiceLife;
import io.scorestream.jobs.kafka.FleetTopics;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.jobs.metrics.MetricsServer;
import io.scorestream.trainer.data.DataPublisher;
import io.scorestream.trainer.net.NetworkChoice;
import io.scorestream.trainer.service.TrainerMetrics;
import io.scorestream.trainer.service.TrainerService;
import io.scorestream.trainer.train.Optimizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream trainer}, and the trainer's own artifact's command: the trainer service.
 * Follows {@code scorestream.data.NAME}, trains a score network, and publishes checked checkpoints
 * on {@code scorestream.checkpoints} that workers load without a restart.
 */
@Command(
    name = "trainer",
    mixinStandardHelpOptions = true,
    description =
        "Train a score network on a dataset's topic and publish checkpoints to the fleet.")
public final class TrainerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Option(names = "--dataset", required = true, paramLabel = "NAME")
  String dataset;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "NAME",
      description = "the name checkpoints go out under")
  String model;

  @Mixin TrainingOptions training;
  @Mixin NetworkOptions network;
  @Mixin MetricsOptions metrics;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "1000",
      paramLabel = "STEPS",
      description = "steps between checkpoints")
  long checkpointEvery;

  @Option(
      names = "--checkpoint-minutes",
      paramLabel = "M",
      description =
          "also checkpoint after this much training time, when it comes before --checkpoint-every")
  Double checkpointMinutes;

  @Option(
      names = "--checkpoint-part-kib",
      defaultValue = "960",
      paramLabel = "KIB",
      description =
          "models larger than this go out in parts (keep it under the brokers' message.max.bytes)")
  int partKib;

  @Option(
      names = "--quality-samples",
      paramLabel = "N",
      description =
          "samples drawn to measure each checkpoint (default 2000, images 200; 0: not measured)")
  Integer qualitySamples;

  @Option(
      names = "--quality-steps",
      defaultValue = "200",
      paramLabel = "N",
      description = "sampler steps for those samples (default: ${DEFAULT-VALUE})")
  int qualitySteps;

  @Option(
      names = "--buffer",
      defaultValue = "100000",
      paramLabel = "EXAMPLES",
      description = "examples the replay buffer holds (the newest)")
  int buffer;

  @Option(
      names = "--min-examples",
      defaultValue = "256",
      paramLabel = "N",
      description = "examples to wait for before training")
  int minExamples;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Option(
      names = "--max-steps",
      defaultValue = "0",
      paramLabel = "N",
      description = "stop after a last checkpoint at step N (default: train until stopped)")
  long maxSteps;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "keep the training state here (MODEL.state) after each checkpoint, and resume from it")
  Path stateDir;

  /** The trainer's artifact: {@code java -jar scorestream-trainer.jar --bootstrap-servers ...}. */
  public static void main(String[] args) {
    TorchDefaults.apply();
    System.exit(CommandLines.execute(new TrainerCommand(), args));
  }

  private TrainerService.Quality quality() {
    TrainerService.Quality d = TrainerService.Quality.defaults();
    return qualitySamples == null
        ? new TrainerService.Quality(
            d.samples(), d.imageSamples(), qualitySteps, d.heldOutEvery(), d.classifierSteps())
        : new TrainerService.Quality(
            qualitySamples, qualitySamples, qualitySteps, d.heldOutEvery(), d.classifierSteps());
  }

  private TrainerService.Settings settings(
      Sde sde, NetworkChoice choice, Optimizer.Settings optimizer) {
    return new TrainerService.Settings(
        dataset,
        model,
        sde,
        choice,
        optimizer,
        training.objective(spec),
        training.batch(),
        new TrainerService.Checkpoints(
            checkpointEvery,
            checkpointMinutes == null
                ? null
                : Duration.ofMillis(Math.round(checkpointMinutes * 60_000)),
            partKib * 1024),
        quality(),
        buffer,
        minExamples,
        seed,
        stateDir,
        maxSteps);
  }

  @Override
  public Integer call() throws Exception {
    if (!DataPublisher.NAME.matcher(dataset).matches()
        || !DataPublisher.NAME.matcher(model).matches()) {
      throw new ParameterException(
          spec.commandLine(), "--dataset and --model must match " + DataPublisher.NAME.pattern());
    }
    if (checkpointEvery < 1
        || qualitySamples != null && qualitySamples < 0
        || qualitySteps < 1
        || maxSteps < 0
        || buffer < 1
        || minExamples < 1
        || partKib < 1
        || partKib > Topics.MAX_MESSAGE_BYTES / 1024
        || (checkpointMinutes != null
            && !(checkpointMinutes > 0 && checkpointMinutes <= 7 * 24 * 60))) {
      throw new ParameterException(
          spec.commandLine(),
          "--checkpoint-every, --quality-steps, --buffer and"
              + " --min-examples must be positive, --quality-samples and --max-steps not negative,"
              + " --checkpoint-part-kib in [1, "
              + Topics.MAX_MESSAGE_BYTES / 1024
              + "], --checkpoint-minutes in"
              + " (0, 10080]");
    }
    if (metrics.problem() != null) {
      throw new ParameterException(spec.commandLine(), metrics.problem());
    }
    Optimizer.Settings optimizer = training.optimizer(spec);
    NetworkChoice choice = network.choice(spec);
    Sde sde = training.sde(spec);
    var clients = kafka.clients();
    PrintWriter err = spec.commandLine().getErr();
    ServiceLife life = ServiceLife.begin(err, "the trainer");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TrainerService service =
        new TrainerService(
            clients,
            kafka.topics(),
            settings(sde, choice, optimizer),
            event -> {},
            new TrainerMetrics(registry, model));
    MetricsServer server =
        life.start(
            () -> {
              FleetTopics.ensureAll(clients, kafka.topics());
              return metrics.port() < 0
                  ? null
                  : new MetricsServer(registry, metrics.host(), metrics.port());
            });
    Thread thread = new Thread(service, "trainer");
    thread.start();
    err.println(
        "trainer for model "
            + model
            + " on dataset "
            + dataset
            + " (waiting for examples on "
            + kafka.topics().data(dataset)
            + ")");
    if (server != null) {
      err.println("trainer metrics on http://" + metrics.host() + ":" + server.port() + "/metrics");
    }
    err.flush();
    // Ctrl-C or SIGTERM stops training and waits for the step under way; --max-steps ends it
    // with 0, a fault with 1
    return life.runUntilStopped(
        service.stopped().handle((done, fault) -> fault),
        () -> {},
        () -> {
          service.close();
          service.stopped().exceptionally(fault -> null).get(30, TimeUnit.SECONDS);
        },
        () -> {
          if (server != null) {
            server.close();
          }
        });
  }
}
