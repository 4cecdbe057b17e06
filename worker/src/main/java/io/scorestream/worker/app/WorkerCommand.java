package io.scorestream.worker.app;

import io.scorestream.jobs.cli.CommandLines;
import io.scorestream.jobs.cli.KafkaOptions;
import io.scorestream.jobs.cli.ServiceLife;
import io.scorestream.jobs.kafka.FleetTopics;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.worker.Worker;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream worker}, and the worker's own artifact's command: one worker of the fleet
 * against any Kafka cluster, until Ctrl-C or SIGTERM (which drains it).
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Run one worker against a Kafka cluster.")
public final class WorkerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin KafkaOptions kafka;
  @Mixin WorkerOptions options;

  /** The worker's artifact: {@code java -jar scorestream-worker.jar --bootstrap-servers ...}. */
  public static void main(String[] args) {
    System.exit(CommandLines.execute(new WorkerCommand(), args));
  }

  @Override
  public Integer call() throws Exception {
    if (options.problem() != null) {
      throw new ParameterException(spec.commandLine(), options.problem());
    }
    PrintWriter err = spec.commandLine().getErr();
    KafkaClients clients = kafka.clients();
    ServiceLife life = ServiceLife.begin(err, "the worker");
    Worker worker =
        life.start(
            () -> {
              FleetTopics.ensureAll(clients, kafka.topics());
              return WorkerLife.start(clients, kafka.topics(), options, err);
            });
    return WorkerLife.runUntilStopped(life, err, worker, options.drainTimeout(30));
  }
}
