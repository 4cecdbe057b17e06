package io.scorestream.jobs.cli;

import picocli.CommandLine.Option;

/** Where a service without a web server of its own (a worker, a trainer) serves /metrics. */
public final class MetricsOptions {
  @Option(
      names = "--metrics-port",
      defaultValue = "-1",
      paramLabel = "PORT",
      description =
          "serve Prometheus metrics at /metrics on this port (0: any free port; default: none)")
  int port;

  @Option(
      names = "--metrics-host",
      defaultValue = "127.0.0.1",
      paramLabel = "ADDRESS",
      description =
          "the address metrics listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0: all)")
  String host;

  /** The port: -1 for none, 0 for any free one. */
  public int port() {
    return port;
  }

  public String host() {
    return host;
  }

  /** Serves metrics on a free port when no port was given. */
  public void anyPortByDefault() {
    if (port < 0) {
      port = 0;
    }
  }

  /** Null when the port makes sense, else what is wrong. */
  public String problem() {
    return port < -1 || port > 65535
        ? "--metrics-port must be -1 (none), 0 (any free port) or a port number, got " + port
        : null;
  }
}
