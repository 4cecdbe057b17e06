package io.scorestream.cli;

import io.scorestream.worker.kafka.JobClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code scorestream cancel}: asks the fleet to cancel a job; harmless for unknown or finished jobs. */
@Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a job.")
final class CancelCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  @Mixin
  KafkaOptions kafka;
  @Option(names = "--tenant", defaultValue = "default", paramLabel = "T",
      description = "the tenant that submitted the job: no other can cancel it") String tenant;
  @Option(names = "--reason", defaultValue = "cancelled by client", paramLabel = "TEXT",
      description = "what the job's readers are told") String reason;
  @Parameters(paramLabel = "JOB_ID") String jobId;

  @Override
  public Integer call() {
    try (JobClient client = new JobClient(kafka.bootstrapServers, kafka.topics())) {
      client.cancel(jobId, tenant, reason);
    }
    spec.commandLine().getErr().println("asked the workers to cancel " + jobId);
    return 0;
  }
}
