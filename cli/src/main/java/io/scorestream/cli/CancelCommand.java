package io.scorestream.cli;

import io.scorestream.gateway.client.GatewayJobs;
import io.scorestream.jobs.cli.KafkaOptions;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.proto.v1.JobEvent;
import io.scorestream.proto.v1.JobState;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream cancel}: asks the fleet to cancel a job of this tenant and says what came of
 * it: cancelled, already finished, or no such job of this tenant. Exit status 0 when the job is
 * cancelled now, 1 otherwise.
 */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = "Cancel a job and say whether it stopped.")
final class CancelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin KafkaOptions kafka;
  @Mixin GatewayOptions gatewayOptions;

  @Option(
      names = "--tenant",
      defaultValue = "default",
      paramLabel = "T",
      description = "the tenant that submitted the job: no other can cancel it")
  String tenant;

  @Option(
      names = "--reason",
      defaultValue = "cancelled by client",
      paramLabel = "TEXT",
      description = "what the job's readers are told")
  String reason;

  @Option(
      names = "--wait",
      defaultValue = "10",
      paramLabel = "SECONDS",
      description = "how long to wait for the fleet to confirm (default: ${DEFAULT-VALUE})")
  long waitSeconds;

  @Parameters(paramLabel = "JOB_ID")
  String jobId;

  @Override
  public Integer call() throws Exception {
    if (waitSeconds <= 0) {
      throw new ParameterException(
          spec.commandLine(), "--wait must be a positive number of seconds, got " + waitSeconds);
    }
    gatewayOptions.checkExclusive(kafka);
    var err = spec.commandLine().getErr();
    Duration wait = Duration.ofSeconds(waitSeconds);
    if (gatewayOptions.given()) {
      if (spec.commandLine().getParseResult().hasMatchedOption("--tenant")) {
        throw new ParameterException(
            spec.commandLine(),
            "through a gateway the API key names the tenant; leave out" + " --tenant");
      }
      return throughGateway(gatewayOptions.client(), err, wait);
    }
    PrintWriter waiting = spec.commandLine().getErr();
    try (JobClient client =
        new JobClient(
            kafka.clients(),
            kafka.topics(),
            JobClient.Patience.of(
                line -> {
                  waiting.println(line);
                  waiting.flush();
                }))) {
      Optional<JobState> before = client.state(jobId, wait);
      if (before.isPresent() && !before.get().getTenant().equals(tenant)) {
        err.println("no job " + jobId + " of tenant " + tenant + "; nothing cancelled");
        return 1;
      }
      if (before.isPresent() && io.scorestream.jobs.JobStates.isFinal(before.get().getStatus())) {
        err.println(
            "job "
                + jobId
                + " had already ended ("
                + before.get().getStatus().name().toLowerCase()
                + "); nothing cancelled");
        return 1;
      }
      Instant sent = Instant.now().minusSeconds(5); // a little before, for the workers' clocks
      client.cancel(jobId, tenant, reason);
      JobEvent end;
      try {
        end =
            client.follow(
                jobId, before.map(JobState::getRequestDigest).orElse(null), sent, wait, e -> {});
      } catch (IllegalStateException e) {
        err.println(
            before.isPresent()
                ? "asked the workers to cancel "
                    + jobId
                    + ", which has not stopped within "
                    + waitSeconds
                    + " s"
                : "no job "
                    + jobId
                    + " of tenant "
                    + tenant
                    + " is known; the cancel stands if it comes within a day");
        return 1;
      }
      if (end.hasCancelled()) {
        err.println("cancelled " + jobId + ": " + end.getCancelled().getReason());
        return 0;
      }
      err.println(
          "job "
              + jobId
              + " ended before the cancel reached it ("
              + end.getEventCase().name().toLowerCase()
              + "); nothing cancelled");
      return 1;
    }
  }

  /** The same through a gateway: DELETE, then the job's state until it ends or the wait is over. */
  private int throughGateway(GatewayJobs gateway, PrintWriter err, Duration wait) throws Exception {
    try {
      gateway.cancel(jobId);
    } catch (GatewayJobs.Refused e) {
      err.println(
          e.status() == 404
              ? "no job " + jobId + " of this API key's tenant; nothing cancelled"
              : e.status() == 409
                  ? "job " + jobId + " had already ended; nothing cancelled"
                  : e.getMessage());
      return 1;
    }
    Instant deadline = Instant.now().plus(wait);
    while (Instant.now().isBefore(deadline)) {
      var job = gateway.job(jobId);
      String status = job.getString("status", "");
      if (status.equals("CANCELLED")) {
        err.println("cancelled " + jobId);
        return 0;
      }
      if (status.equals("SUCCEEDED") || status.equals("FAILED")) {
        err.println(
            "job "
                + jobId
                + " ended before the cancel reached it ("
                + status.toLowerCase()
                + "); nothing cancelled");
        return 1;
      }
      Thread.sleep(100);
    }
    err.println(
        "asked the fleet to cancel "
            + jobId
            + ", which has not stopped within "
            + waitSeconds
            + " s");
    return 1;
  }
}
