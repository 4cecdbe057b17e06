package io.scorestream.cli;

import io.scorestream.jobs.JobStates;
import io.scorestream.jobs.Times;
import io.scorestream.jobs.cli.KafkaOptions;
import io.scorestream.jobs.kafka.JobClient;
import io.scorestream.jobs.kafka.KafkaClients;
import io.scorestream.proto.v1.JobState;
import io.scorestream.proto.v1.JobStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
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
 * {@code scorestream watch JOB_ID}: follows any job, whoever submitted it and whenever, from its
 * state and events: a job that finished (a week ago, or before a restart) is reported at once and
 * its result written; one queued or running is followed to its end; one no worker has taken in yet
 * is waited for.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description =
        "Follow a job to its end and write its result, whether it is queued, running or finished.")
final class WatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Parameters(paramLabel = "JOB_ID")
  String jobId;

  @Option(names = "--out", paramLabel = "FILE.npy|FILE.png", description = "write the result here")
  Path out;

  @Option(
      names = "--preview-out",
      paramLabel = "FILE.npy|FILE.png",
      description = "overwrite this file with each preview as it comes")
  Path previewOut;

  @Option(
      names = "--timeout",
      defaultValue = "3600",
      paramLabel = "SECONDS",
      description = "how long to wait")
  long timeout;

  @Override
  public Integer call() throws Exception {
    if (timeout <= 0) {
      throw bad("--timeout must be a positive number of seconds, got " + timeout);
    }
    for (Path file : new Path[] {out, previewOut}) {
      if (file != null
          && SampleFiles.problem(file == out ? "--out" : "--preview-out", file) != null) {
        throw bad(SampleFiles.problem(file == out ? "--out" : "--preview-out", file));
      }
    }
    KafkaClients clients = kafka.clients();
    PrintWriter err = spec.commandLine().getErr();
    Duration wait = Duration.ofSeconds(timeout);
    try (JobClient client = new JobClient(clients, kafka.topics())) {
      Instant asked = Instant.now();
      Optional<JobState> state = client.state(jobId, wait);
      int samples = state.map(s -> s.getSummary().getNumSamples()).orElse(0);
      JobWatch watch = new JobWatch(err, out, previewOut, samples);
      if (state.isPresent() && JobStates.isFinal(state.get().getStatus())) {
        return ended(state.get(), watch, err);
      }
      if (state.isEmpty()) {
        err.println(
            "job " + jobId + " is not known yet (no worker has taken it in); waiting for it");
      } else {
        err.println(
            "job "
                + jobId
                + " is "
                + state.get().getStatus().name().toLowerCase(Locale.ROOT)
                + " (attempt "
                + state.get().getAttempt()
                + ")");
      }
      err.flush();
      // from a little before the state was written (or before this command asked), by the workers'
      // clocks
      Instant from = state.map(s -> Times.instant(s.getUpdatedAt())).orElse(asked).minusSeconds(5);
      watch.follow(client, jobId, state.map(JobState::getRequestDigest).orElse(null), from, wait);
    }
    return 0;
  }

  /** Reports a job that had ended before this command asked; writes its result. */
  private int ended(JobState state, JobWatch watch, PrintWriter err) throws Exception {
    JobStatus status = state.getStatus();
    String when = Times.instant(state.getUpdatedAt()).truncatedTo(ChronoUnit.SECONDS).toString();
    if (status == JobStatus.SUCCEEDED) {
      err.println("job " + jobId + " completed at " + when + " on " + state.getWorkerId());
      err.flush();
      watch.write(state.getResult());
      return 0;
    }
    throw new IllegalStateException(
        "job "
            + jobId
            + (status == JobStatus.FAILED
                ? " failed at " + when + ": " + state.getFailure().getReason()
                : " was cancelled at " + when));
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
