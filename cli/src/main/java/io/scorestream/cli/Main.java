package io.scorestream.cli;

import io.scorestream.gateway.app.GatewayCommand;
import io.scorestream.jobs.cli.CommandLines;
import io.scorestream.trainer.app.TorchDefaults;
import io.scorestream.trainer.app.TrainerCommand;
import io.scorestream.worker.app.WorkerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code scorestream} command. Bad arguments and failures end with one line on stderr and a
 * non-zero exit.
 */
@Command(
    name = "scorestream",
    mixinStandardHelpOptions = true,
    version = "scorestream 0.1.0",
    description = "Serve score-based generative models.",
    subcommands = {
      DevCommand.class,
      WorkerCommand.class,
      GatewayCommand.class,
      DataCommand.class,
      TrainCommand.class,
      TrainClassifierCommand.class,
      EvaluateCommand.class,
      TrainerCommand.class,
      SubmitCommand.class,
      WatchCommand.class,
      CancelCommand.class,
      TopicsCommand.class,
      SampleCommand.class,
      LikelihoodCommand.class,
      EncodeCommand.class,
      InterpolateCommand.class,
      ModelCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    TorchDefaults.apply();
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (2 for bad arguments, 1 for failures). */
  public static int run(String... args) {
    return CommandLines.execute(new Main(), args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "a command is required: dev, worker, gateway, submit, watch, cancel, sample, or model (bin/scorestream bench runs the benchmarks)");
  }
}
