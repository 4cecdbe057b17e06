package io.scorestream.gateway.app;

import io.scorestream.gateway.Gateway;
import io.scorestream.gateway.auth.Tenants;
import io.scorestream.gateway.webhooks.WebhookPolicy;
import io.scorestream.gateway.webhooks.WebhookSettings;
import io.scorestream.jobs.cli.CommandLines;
import io.scorestream.jobs.cli.KafkaOptions;
import io.scorestream.jobs.cli.ServiceLife;
import io.scorestream.jobs.kafka.FleetTopics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream gateway}, and the gateway's own artifact's command: the HTTP API and dashboard
 * in front of a fleet, until Ctrl-C or SIGTERM; {@code add-key} makes API keys.
 */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    subcommands = GatewayCommand.AddKey.class,
    description = "Serve the HTTP API in front of the fleet on a Kafka cluster, until Ctrl-C.")
public final class GatewayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin KafkaOptions kafka;

  // required when the gateway runs, checked in call(): picocli would ask add-key for it too
  @Option(
      names = "--tenants",
      paramLabel = "FILE",
      description = "tenants and the hashes of their API keys (required; see 'gateway add-key')")
  Path tenants;

  @Option(
      names = "--host",
      defaultValue = "0.0.0.0",
      paramLabel = "ADDRESS",
      description = "address to listen on (default: ${DEFAULT-VALUE}, every interface)")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      paramLabel = "PORT",
      description = "port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--webhook-allow",
      split = ",",
      paramLabel = "HOST",
      description =
          "hosts webhooks may go to: hooks.example.com, or *.example.com for its subdomains"
              + " (default: any public host)")
  List<String> webhookHosts = List.of();

  @Option(
      names = "--webhook-allow-private",
      description =
          "let webhooks reach private, loopback and link-local addresses (never on a shared network)")
  boolean webhookPrivate;

  @Option(
      names = "--webhook-allow-http",
      description = "take plain http:// webhook URLs (default: https only)")
  boolean webhookHttp;

  /** The gateway's artifact: {@code java -jar scorestream-gateway.jar --tenants FILE ...}. */
  public static void main(String[] args) {
    System.exit(CommandLines.execute(new GatewayCommand(), args));
  }

  @Override
  public Integer call() throws Exception {
    if (tenants == null) {
      throw new ParameterException(spec.commandLine(), "Missing required option: '--tenants=FILE'");
    }
    if (port < 0 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "--port must be 0 to 65535, got " + port);
    }
    Tenants known;
    try {
      known = Tenants.load(tenants);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--tenants: " + e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    var clients = kafka.clients();
    ServiceLife life = ServiceLife.begin(err, "the gateway");
    Gateway gateway =
        life.start(
            () -> {
              FleetTopics.ensureAll(clients, kafka.topics());
              return Gateway.start(
                  Gateway.Settings.of(clients, kafka.topics(), known, host, port)
                      .withWebhooks(
                          WebhookSettings.defaults(
                              new WebhookPolicy(webhookHosts, webhookPrivate, webhookHttp))));
            });
    err.println("gateway on " + gateway.url() + " for tenants " + known.names());
    err.flush();
    return life.runUntilStopped(gateway);
  }

  /**
   * {@code scorestream gateway add-key}: a new API key for a tenant, its hash stored in the tenants
   * file.
   */
  @Command(
      name = "add-key",
      mixinStandardHelpOptions = true,
      description =
          "Make a new API key for a tenant (creating the tenant and the file when missing), store its"
              + " hash in the tenants file, and print the key: it is stored nowhere else.")
  public static final class AddKey implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--tenants",
        required = true,
        paramLabel = "FILE",
        description = "the tenants file")
    Path tenants;

    @Option(
        names = "--tenant",
        required = true,
        paramLabel = "NAME",
        description = "the tenant the key names")
    String tenant;

    @Override
    public Integer call() throws Exception {
      String key;
      try {
        key = Tenants.addKey(tenants, tenant, new SecureRandom());
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      spec.commandLine().getOut().println(key);
      spec.commandLine()
          .getErr()
          .println(
              "stored the key's hash for tenant "
                  + tenant
                  + " in "
                  + tenants
                  + "; keep the key: it cannot be shown again");
      return 0;
    }
  }
}
