package io.scorestream.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options come from flags, else from SCORESTREAM_ variables, else from their defaults. */
class EnvironmentDefaultsTest {
  @Command(name = "probe")
  static final class Probe implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @Option(names = "--drain-timeout", defaultValue = "30")
    int drain;

    @Option(names = "--metrics")
    boolean metrics;

    String seen;

    @Override
    public Integer call() {
      seen = kafka.bootstrapServers() + " " + kafka.topics().prefix() + " " + drain + " " + metrics;
      return 0;
    }
  }

  private static String run(Map<String, String> env, String... args) {
    Probe probe = new Probe();
    assertEquals(0, CommandLines.execute(env, probe, args));
    return probe.seen;
  }

  @Test
  void aVariableSetsAnOptionAndOverridesItsBuiltInDefault() {
    assertEquals(
        "kafka-1:9092 fleet 5 true",
        run(
            Map.of(
                "SCORESTREAM_BOOTSTRAP_SERVERS", "kafka-1:9092",
                "SCORESTREAM_TOPIC_PREFIX", "fleet",
                "SCORESTREAM_DRAIN_TIMEOUT", " 5 ",
                "SCORESTREAM_METRICS", "true")));
  }

  @Test
  void aFlagOverridesTheVariableAndABlankVariableIsUnset() {
    assertEquals(
        "kafka-2:9092 scorestream 30 false",
        run(
            Map.of(
                "SCORESTREAM_BOOTSTRAP_SERVERS", "kafka-1:9092", "SCORESTREAM_DRAIN_TIMEOUT", ""),
            "--bootstrap-servers",
            "kafka-2:9092"));
  }

  @Test
  void aBadValueInAVariableIsABadArgument() {
    assertEquals(2, CommandLines.execute(Map.of("SCORESTREAM_DRAIN_TIMEOUT", "soon"), new Probe()));
  }
}
