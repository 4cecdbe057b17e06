package io.scorestream.jobs.cli;

import java.util.Map;
import picocli.CommandLine;

/**
 * How every ScoreStream command line reports what went wrong, the same in {@code bin/scorestream}
 * and in each service's own artifact: a bad argument is one line naming it and where help is, with
 * status 2; a failure is its first line, with status 1 (a service logs its own stack traces). Each
 * option may also come from the environment ({@link EnvironmentDefaults}).
 */
public final class CommandLines {
  private CommandLines() {}

  /** Runs {@code command} (a picocli command object) on {@code args}; returns the exit status. */
  public static int execute(Object command, String... args) {
    return execute(System.getenv(), command, args);
  }

  /** As {@link #execute(Object, String...)}, with options' defaults from {@code environment}. */
  public static int execute(Map<String, String> environment, Object command, String... args) {
    CommandLine cli = new CommandLine(command);
    cli.setDefaultValueProvider(new EnvironmentDefaults(environment));
    String prefix = cli.getCommandSpec().name() + ": ";
    cli.setParameterExceptionHandler(
        (e, argv) -> {
          e.getCommandLine()
              .getErr()
              .println(
                  prefix
                      + e.getMessage()
                      + " (see '"
                      + e.getCommandLine().getCommandSpec().qualifiedName()
                      + " --help')");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          String message = e.getMessage() == null ? e.toString() : e.getMessage();
          commandLine.getErr().println(prefix + message.lines().findFirst().orElse(message));
          return 1;
        });
    return cli.execute(args);
  }
}
