package io.scorestream.cli;

import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.worker.Worker;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code scorestream worker}: one worker of the fleet against any Kafka cluster, until Ctrl-C. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Run one worker against a Kafka cluster.")
final class WorkerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin KafkaOptions kafka;
  @Mixin WorkerOptions options;

  @Override
  public Integer call() throws Exception {
    if (options.problem() != null) {
      throw new ParameterException(spec.commandLine(), options.problem());
    }
    PrintWriter err = spec.commandLine().getErr();
    KafkaClients clients = kafka.clients();
    Services.ensureTopics(clients, kafka.topics());
    Worker worker = Services.startWorker(clients, kafka.topics(), options, err);
    return Services.runUntilStopped(err, worker, options.drainTimeout(30));
  }
}
