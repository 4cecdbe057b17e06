package io.scorestream.testkit;

import io.scorestream.broker.EmbeddedKafka;
import io.scorestream.jobs.kafka.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests one embedded broker for the whole test run (one per Surefire JVM), started when a
 * test first asks for a {@link TestKafka} and closed when the run ends. Tests on it keep apart by
 * their topics' prefix ({@link TestKafka#freshNames}); a test that stops or restarts a broker
 * starts its own.
 */
public final class SharedBroker implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return kafka(context);
  }

  /** The run's broker, started on the first call (for other fixtures built on it). */
  public static TestKafka kafka(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(Resource.class, k -> Resource.start(), Resource.class)
        .kafka();
  }

  private record Resource(EmbeddedKafka broker, TestKafka kafka, Path dir)
      implements ExtensionContext.Store.CloseableResource {
    static Resource start() {
      try {
        Path dir = Files.createTempDirectory("scorestream-test-broker");
        EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), Topics.MAX_MESSAGE_BYTES);
        return new Resource(broker, new TestKafka(broker.bootstrapServers()), dir);
      } catch (IOException e) {
        throw new UncheckedIOException("the test broker did not start", e);
      }
    }

    @Override
    public void close() throws IOException {
      broker.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
