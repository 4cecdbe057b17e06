package io.scorestream.cli;

import io.scorestream.jobs.cli.KafkaOptions;
import io.scorestream.jobs.kafka.FleetTopics;
import io.scorestream.jobs.kafka.FleetTopics.TopicReplicas;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code scorestream topics}: the fleet's topics as the cluster keeps them now (partitions, copies,
 * copies in sync, min.insync.replicas, leaders), for an operator checking a cluster, and exit
 * status 1 when one keeps fewer copies than asked.
 */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = "Show how the cluster keeps the fleet's topics; fail below --require copies.")
final class TopicsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin KafkaOptions kafka;

  @Option(
      names = "--require",
      defaultValue = "0",
      paramLabel = "R:M",
      description =
          "fail unless every topic has R copies and min.insync.replicas M or more, as 3:2"
              + " (default: no requirement)")
  String require;

  @Override
  public Integer call() throws Exception {
    int[] required = parseRequire();
    PrintWriter out = spec.commandLine().getOut();
    try (Admin admin =
        kafka
            .clients()
            .admin(
                Map.of(
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    30_000))) { // fail within 30 s on a wrong address
      String prefix = kafka.topics().prefix() + ".";
      Set<String> names =
          admin.listTopics().names().get().stream()
              .filter(t -> t.startsWith(prefix))
              .collect(Collectors.toSet());
      List<TopicReplicas> topics = FleetTopics.describe(admin, names);
      out.println("topic\tpartitions\treplicas\tin-sync\tmin-insync\tleaders");
      int below = 0;
      for (TopicReplicas t : topics) {
        out.printf(
            "%s\t%d\t%d\t%d\t%d\t%s%n",
            t.name(),
            t.partitions(),
            t.replicas(),
            t.inSync(),
            t.minInsync(),
            t.leaders().stream().map(String::valueOf).collect(Collectors.joining(",")));
        if (t.replicas() < required[0] || t.minInsync() < required[1]) {
          below++;
        }
      }
      out.flush();
      if (topics.isEmpty() || below > 0) {
        spec.commandLine()
            .getErr()
            .println(
                topics.isEmpty()
                    ? "no topic starts with " + prefix
                    : below + " topic(s) below " + require);
        return 1;
      }
      return 0;
    }
  }

  private int[] parseRequire() {
    if (require.equals("0")) {
      return new int[] {0, 0};
    }
    String[] parts = require.split(":");
    try {
      if (parts.length == 2) {
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new ParameterException(
        spec.commandLine(), "--require must be R:M, as 3:2, not '" + require + "'");
  }
}
