package io.scorestream.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test classes one {@link Fleet} (broker, topics, worker) for the whole test run, started
 * when a class first asks for it and closed when the run ends: each class still starts its own
 * gateways.
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
        .getOrComputeIfAbsent(Resource.class, k -> Resource.start(), Resource.class)
        .fleet;
  }

  private record Resource(Fleet fleet, Path dir)
      implements ExtensionContext.Store.CloseableResource {
    static Resource start() {
      try {
        Path dir = Files.createTempDirectory("scorestream-gateway-fleet");
        return new Resource(new Fleet(dir), dir);
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
