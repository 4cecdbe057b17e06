package io.scorestream.jobs.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option's default from the environment, as containers are configured: {@code
 * --bootstrap-servers} from {@code SCORESTREAM_BOOTSTRAP_SERVERS}, {@code --expect-brokers} from
 * {@code SCORESTREAM_EXPECT_BROKERS}. A flag on the command line wins over the variable, the
 * variable over the built-in default.
 */
public final class EnvironmentDefaults implements IDefaultValueProvider {
  private final Map<String, String> environment;

  public EnvironmentDefaults(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** The variable that sets {@code option}: SCORESTREAM_ and its long name in capitals. */
  public static String variable(OptionSpec option) {
    return "SCORESTREAM_"
        + option.longestName().replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
      return null;
    }
    String value = environment.get(variable(option));
    return value == null || value.isBlank() ? null : value.strip();
  }
}
