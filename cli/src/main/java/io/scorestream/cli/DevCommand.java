package io.scorestream.cli;

import io.scorestream.broker.EmbeddedKafka;
import io.scorestream.core.sde.Sde;
import io.scorestream.core.sde.VpSde;
import io.scorestream.gateway.Gateway;
import io.scorestream.gateway.auth.Tenant;
import io.scorestream.gateway.auth.Tenants;
import io.scorestream.gateway.webhooks.WebhookPolicy;
import io.scorestream.gateway.webhooks.WebhookSettings;
import io.scorestream.jobs.cli.ServiceLife;
import io.scorestream.jobs.kafka.CheckpointParts;
import io.scorestream.jobs.kafka.FleetTopics;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.jobs.kafka.TopicNames;
import io.scorestream.jobs.kafka.Topics;
import io.scorestream.trainer.data.DataPublisher;
import io.scorestream.trainer.data.DataSources;
import io.scorestream.trainer.net.NetworkChoice;
import io.scorestream.trainer.service.TrainerService;
import io.scorestream.trainer.train.Objective;
import io.scorestream.trainer.train.Optimizer;
import io.scorestream.worker.Worker;
import io.scorestream.worker.app.WorkerLife;
import io.scorestream.worker.app.WorkerOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream dev}: everything in one JVM on an embedded Kafka broker (or on a given
 * cluster): the broker, its topics, one worker serving the models in a directory (by default the
 * analytic mixtures and the shipped models), the gateway with its dashboard, and a trainer that
 * learns {@value #DEV_MODEL} from the built-in moons on a data topic ({@code --trainer-steps}), so
 * that checkpoints, hot swaps and training curves show at once.
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = "Run the embedded broker, a worker and the gateway in one process, until Ctrl-C.")
final class DevCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "D",
      description = "broker data and default models (default: a new temporary directory)")
  Path dataDir;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description = "use this cluster, no embedded broker")
  String bootstrapServers;

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description =
          "with --bootstrap-servers: Kafka client properties (TLS, SASL ...) for every connection")
  Path kafkaConfig;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description =
          "the embedded broker's port (default: the one it had "
              + "in --data-dir before, else "
              + DEFAULT_PORT
              + " when free, else any free port)")
  Integer port;

  @Option(
      names = "--gateway-port",
      paramLabel = "PORT",
      description =
          "the gateway's port on 127.0.0.1 (default: "
              + DEFAULT_GATEWAY_PORT
              + " when free, else any free port)")
  Integer gatewayPort;

  /** Where a browser is pointed first. */
  static final int DEFAULT_GATEWAY_PORT = 8080;

  /** Kafka's own default port: where a client looks first. */
  static final int DEFAULT_PORT = 9092;

  @Option(
      names = "--no-trainer",
      description = "do not publish the moons dataset and train " + DEV_MODEL + " on it")
  boolean noTrainer;

  @Option(
      names = "--trainer-steps",
      description =
          "steps the trainer takes before it stops (default: ${DEFAULT-VALUE}, about a minute here)",
      defaultValue = "10000")
  long trainerSteps;

  @Mixin WorkerOptions options;

  /** The model dev's trainer learns. */
  static final String DEV_MODEL = "moons-live";

  @Override
  public Integer call() throws Exception {
    if (options.problem() != null) {
      throw new ParameterException(spec.commandLine(), options.problem());
    }
    if (port != null && (port < 1 || port > 65535)) {
      throw new ParameterException(
          spec.commandLine(), "--port must be a port number (1 to 65535), got " + port);
    }
    if (trainerSteps < 1) {
      throw new ParameterException(
          spec.commandLine(), "--trainer-steps must be at least 1, got " + trainerSteps);
    }
    if (gatewayPort != null && (gatewayPort < 0 || gatewayPort > 65535)) {
      throw new ParameterException(
          spec.commandLine(), "--gateway-port must be 0 to 65535, got " + gatewayPort);
    }
    PrintWriter err = spec.commandLine().getErr();
    ServiceLife life = ServiceLife.begin(err, "dev");
    Started started = life.start(() -> startAll(err));
    Duration drain = options.drainTimeout(0); // dev stops at once unless asked to wait
    return WorkerLife.runUntilStopped(life, err, started.worker(), drain, started.rest());
  }

  /** What dev started: its worker, and the rest in the order they close after it. */
  private record Started(Worker worker, AutoCloseable[] rest) {}

  /** Starts the broker (unless given one), the topics, the worker, the gateway and the trainer. */
  private Started startAll(PrintWriter err) throws Exception {
    Path data = dataDir != null ? dataDir : Files.createTempDirectory("scorestream-dev");
    EmbeddedKafka kafka = null;
    String bootstrap = bootstrapServers;
    if (bootstrap == null) {
      Path kafkaDir = data.resolve("kafka");
      kafka = EmbeddedKafka.start(kafkaDir, brokerPort(kafkaDir), Topics.MAX_MESSAGE_BYTES);
      bootstrap = kafka.bootstrapServers();
      err.println("embedded Kafka broker on " + bootstrap + " (data in " + kafka.dataDir() + ")");
    }
    KafkaClients clients;
    try {
      clients = KafkaClients.of(bootstrap, kafka == null ? kafkaConfig : null);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    TopicNames names = TopicNames.defaults();
    FleetTopics.ensureAll(clients, names);
    options.metricsOnAnyPortByDefault(); // dev shows everything: metrics on a free port
    if (options.modelsDir() == null) {
      options.defaultModelsDir(Services.writeAnalyticModels(data.resolve("models")));
      Services.copyShippedModels(options.modelsDir(), err);
    }
    Worker worker = WorkerLife.start(clients, names, options, err);
    err.println("models from " + options.modelsDir());
    String key = kept(data, "dev-api-key", Tenants::newKey);
    Tenant tenant = devTenant(kept(data, "dev-webhook-secret", Tenants::newWebhookSecret));
    Gateway gateway =
        Gateway.start(
            Gateway.Settings.of(
                    clients,
                    names,
                    Tenants.single(tenant, key),
                    "127.0.0.1",
                    gatewayPort != null
                        ? gatewayPort
                        : EmbeddedKafka.isFree(DEFAULT_GATEWAY_PORT) ? DEFAULT_GATEWAY_PORT : 0)
                .withWebhooks(
                    WebhookSettings.defaults(
                        WebhookPolicy.anywhere()))); // a laptop's own receivers
    err.println(
        "gateway on "
            + gateway.url()
            + " (tenant "
            + tenant.name()
            + ", API key "
            + key
            + ", webhooks signed with "
            + tenant.webhookSecret()
            + ")");
    err.println("dashboard: " + gateway.url() + "/#key=" + key);
    err.println(
        "try: curl -H 'Authorization: Bearer "
            + key
            + "' -d '{\"modelName\": \"gmm-vp\", \"numSamples\": 64}' "
            + gateway.url()
            + "/v1/jobs");
    err.println(
        "try: bin/scorestream submit --bootstrap-servers "
            + bootstrap
            + " --model gmm-vp --samples 256 --watch --out samples.npy");
    TrainerService trainer =
        noTrainer ? null : startTrainer(clients, names, data, trainerSteps, err);
    err.println("Ctrl-C stops everything");
    err.flush();
    List<AutoCloseable> rest = new ArrayList<>();
    if (trainer != null) {
      rest.add(trainer);
    }
    rest.add(gateway);
    if (kafka != null) {
      rest.add(kafka);
    }
    return new Started(worker, rest.toArray(AutoCloseable[]::new));
  }

  /**
   * Publishes the built-in moons (20,000 examples, once per data directory) and starts a trainer of
   * {@value #DEV_MODEL} on them that keeps its state in the data directory, so a restarted dev goes
   * on or, once done, stays done.
   */
  private static TrainerService startTrainer(
      KafkaClients clients, TopicNames names, Path data, long steps, PrintWriter err)
      throws IOException, InterruptedException {
    Path dir = Files.createDirectories(data.resolve("trainer"));
    Path published = dir.resolve("moons.published");
    if (!Files.exists(published)) {
      new DataPublisher(clients, names)
          .publish("moons", DataSources.builtin("moons", 0), 20_000, 0, line -> {});
      Files.writeString(published, "20000\n");
    }
    Sde sde = new VpSde(0.1, 20, 1);
    TrainerService trainer =
        new TrainerService(
            clients,
            names,
            new TrainerService.Settings(
                "moons",
                DEV_MODEL,
                sde,
                NetworkChoice.mlp(128, 3),
                new Optimizer.Settings(1e-3, 100, 1, 0.999),
                Objective.DENOISING,
                128,
                new TrainerService.Checkpoints(1000, null, CheckpointParts.DEFAULT_PART_BYTES),
                TrainerService.Quality.defaults(),
                100_000,
                256,
                0,
                dir,
                steps),
            event -> {});
    Thread thread = new Thread(trainer, "dev-trainer");
    thread.setDaemon(true);
    // the trainer logs what stops it; anything that escapes it still says why, and dev serves on
    // without it
    thread.setUncaughtExceptionHandler(
        (t, e) -> {
          err.println(io.scorestream.jobs.Faults.describe("trainer: stopped", e));
          err.flush();
        });
    thread.start();
    err.println(
        "trainer: learning "
            + DEV_MODEL
            + " from "
            + names.data("moons")
            + " for "
            + steps
            + " steps (checkpoints every 1000; its curve is beside the model on the dashboard)");
    return trainer;
  }

  /**
   * The tenant of {@code dev}'s API key: limits a person at a laptop never meets, webhooks signed
   * with its secret.
   */
  static Tenant devTenant(String webhookSecret) {
    return new Tenant("dev", 1_000, 1_000, 10_000, webhookSecret);
  }

  /**
   * A development secret (the API key, the webhook secret): made once per data directory and kept
   * there in {@code file}, so it survives restarts.
   */
  static String kept(Path data, String file, Function<java.security.SecureRandom, String> make)
      throws IOException {
    Path path = data.resolve(file);
    if (Files.exists(path)) {
      String value = Files.readString(path).trim();
      if (!value.isEmpty()) {
        return value;
      }
    }
    String value = make.apply(new java.security.SecureRandom());
    Files.writeString(path, value + "\n");
    return value;
  }

  /**
   * The port to ask the broker for: the one given; else 0 (the one it had in this data directory
   * before) when the directory has a broker already; else Kafka's default when it is free, so that
   * clients find it where they look.
   */
  private int brokerPort(Path kafkaDir) {
    if (port != null) {
      return port;
    }
    if (Files.exists(kafkaDir.resolve("meta.properties"))) {
      return 0;
    }
    return EmbeddedKafka.isFree(DEFAULT_PORT) ? DEFAULT_PORT : 0;
  }
}
