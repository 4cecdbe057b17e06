package io.scorestream.cli;

import io.scorestream.gateway.client.GatewayJobs;
import io.scorestream.jobs.cli.KafkaOptions;
import java.net.URI;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A gateway to go through instead of Kafka, and the API key to go with it. */
final class GatewayOptions {
  /**
   * Where the key comes from when {@code --api-key} is not given, so it need not sit in shell
   * history: every option's environment variable ({@link
   * io.scorestream.jobs.cli.EnvironmentDefaults}), named here for the help and the refusal.
   */
  static final String KEY_VARIABLE = "SCORESTREAM_API_KEY";

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--gateway",
      paramLabel = "URL",
      description =
          "go through this gateway's HTTP API (e.g. http://127.0.0.1:8080) instead of Kafka")
  URI gateway;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description = "the API key for --gateway (default: $" + KEY_VARIABLE + ")")
  String apiKey;

  /** True when the command goes through a gateway. */
  boolean given() {
    return gateway != null;
  }

  /** The client of the gateway; a missing key or a URL that is no http(s) URL is a bad argument. */
  GatewayJobs client() {
    String scheme = gateway.getScheme() == null ? "" : gateway.getScheme();
    if (!scheme.equals("http") && !scheme.equals("https") || gateway.getHost() == null) {
      throw new ParameterException(
          command.commandLine(), "--gateway must be an http:// or https:// URL, got " + gateway);
    }
    String key = apiKey;
    if (key == null || key.isBlank()) {
      throw new ParameterException(
          command.commandLine(), "--gateway needs an API key: --api-key KEY or $" + KEY_VARIABLE);
    }
    return new GatewayJobs(gateway, key.trim());
  }

  /** Refuses Kafka options beside --gateway, and a command given neither. */
  void checkExclusive(KafkaOptions kafka) {
    if (given() && kafka.bootstrapServers() != null) {
      throw new ParameterException(
          command.commandLine(), "give --gateway or --bootstrap-servers, not both");
    }
    if (!given() && kafka.bootstrapServers() == null) {
      throw new ParameterException(
          command.commandLine(),
          "Missing required option: '--bootstrap-servers=HOST:PORT' (or --gateway URL)");
    }
  }
}
