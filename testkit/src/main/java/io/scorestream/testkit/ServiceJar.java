package io.scorestream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * A service's own runnable jar as its artifact test reads and runs it, with what that service must
 * not ship: each service carries its own runtime and nothing of the others' (DESIGN.md, "one
 * artifact per service"). The lists are by package, so a dependency that arrives under another
 * Maven name is caught as well as the one the enforcer rules of the module's pom name.
 */
public final class ServiceJar {
  private static final String ONNX_RUNTIME = "ai/onnxruntime/";
  private static final String PYTORCH = "ai/djl/";
  private static final String VERTX = "io/vertx/";

  /** What no service ships: the Kafka server, the embedded broker, the test kit and the cli. */
  private static final List<String> NO_SERVICE =
      List.of(
          "kafka/", // the Kafka server (kafka_2.13)
          "org/apache/kafka/controller/",
          "io/scorestream/broker/",
          "io/scorestream/testkit/",
          "io/scorestream/cli/");

  private final Path jar;
  private final String mainClass;
  private final List<String> forbidden;

  private ServiceJar(String service, String mainClass, String... others) {
    this.jar = Path.of("target", "scorestream-" + service + ".jar");
    this.mainClass = mainClass;
    this.forbidden = Stream.concat(NO_SERVICE.stream(), Stream.of(others)).toList();
  }

  /** The worker's: ONNX Runtime, no PyTorch, no Vert.x. */
  public static ServiceJar worker() {
    return new ServiceJar(
        "worker",
        "io.scorestream.worker.app.WorkerCommand",
        PYTORCH,
        VERTX,
        "io/scorestream/gateway/",
        "io/scorestream/trainer/");
  }

  /** The gateway's: Vert.x and the dashboard, no ONNX Runtime, no PyTorch. */
  public static ServiceJar gateway() {
    return new ServiceJar(
        "gateway",
        "io.scorestream.gateway.app.GatewayCommand",
        ONNX_RUNTIME,
        PYTORCH,
        "io/scorestream/worker/",
        "io/scorestream/trainer/");
  }

  /**
   * The trainer's: PyTorch, and ONNX Runtime to check each checkpoint's parity and quality; no
   * Vert.x.
   */
  public static ServiceJar trainer() {
    return new ServiceJar(
        "trainer",
        "io.scorestream.trainer.app.TrainerCommand",
        VERTX,
        "io/scorestream/gateway/",
        "io/scorestream/worker/");
  }

  public Path path() {
    return jar;
  }

  /** The names of its entries. */
  public List<String> entries() throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(ZipEntry::getName).toList();
    }
  }

  /**
   * Fails naming the first few classes or natives it ships of what its service must not carry, and
   * when its Main-Class is not the service's command.
   */
  public void assertShipsItsServiceAlone() throws IOException {
    List<String> names = entries();
    for (String prefix : forbidden) {
      assertEquals(
          List.of(),
          names.stream()
              .filter(n -> n.startsWith(prefix) && (n.endsWith(".class") || n.endsWith(".so")))
              .limit(5)
              .toList(),
          jar.getFileName() + " ships " + prefix);
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      assertEquals(mainClass, file.getManifest().getMainAttributes().getValue("Main-Class"));
    }
  }

  /**
   * Fails unless every native library it ships (ONNX Runtime, PyTorch, JNA, Kafka's codecs) is
   * built for Linux on x86-64, and it ships some.
   */
  public void assertLinuxX64NativesOnly() throws IOException {
    List<String> natives = entries().stream().filter(ServiceJar::isNative).toList();
    assertTrue(!natives.isEmpty(), jar.getFileName() + " ships no natives");
    assertEquals(
        List.of(),
        natives.stream().filter(n -> LINUX_X64.stream().noneMatch(n::contains)).toList(),
        "natives of other platforms");
  }

  /** How the libraries it ships name Linux on x86-64 in their natives' paths. */
  private static final List<String> LINUX_X64 =
      List.of("linux-x64/", "linux-x86_64/", "linux-x86-64/", "linux/amd64/", "Linux/x86_64/");

  private static boolean isNative(String name) {
    return name.endsWith(".so")
        || name.endsWith(".dll")
        || name.endsWith(".dylib")
        || name.endsWith(".jnilib")
        || name.endsWith(".a");
  }

  /** {@code java -jar JAR args...} with this JVM's java. */
  public ProcessBuilder command(String... args) {
    List<String> line =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString()));
    line.addAll(List.of(args));
    return new ProcessBuilder(line);
  }
}
