package io.scorestream.gateway;

import io.scorestream.testkit.SharedBroker;
import io.scorestream.testkit.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test classes one {@link Fleet} (topics and a worker on the run's shared broker) for the
 * whole test run, started when a class first asks for it and closed when the run ends: each class
 * still starts its own gateways.
 */
final class SharedFleet implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Fleet.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(
            Resource.class, k -> Resource.start(SharedBroker.kafka(context)), Resource.class)
        .fleet;
  }

  private record Resource(Fleet fleet, Path dir)
      implements ExtensionContext.Store.CloseableResource {
    static Resource start(TestKafka kafka) {
      try {
        Path dir = Files.createTempDirectory("scorestream-gateway-fleet");
        return new Resource(new Fleet(dir, kafka), dir);
      } catch (Exception e) {
        throw new IllegalStateException("the test fleet did not start", e);
      }
    }

    @Override
    public void close() throws Exception {
      fleet.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
