package io.scorestream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
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

  /**
   * What the libraries a service ships refer to without shipping, and why that is safe: classes
   * that the JVM resolves only when a path is taken that ScoreStream never takes. A reachable class
   * that needs anything else is a missing dependency.
   */
  private static final Map<String, String> OPTIONAL =
      Map.of(
          "com.fasterxml.jackson.",
          "Kafka's JSON rendering of protocol messages (MessageUtil), for request tracing only",
          "io.micrometer.context.",
          "a provider for context-propagation's SPI, which is absent, so never loaded",
          "io.netty.internal.tcnative.",
          "Netty's OpenSSL binding, probed and passed over for the JDK's TLS",
          "io.vertx.codegen.annotations.",
          "Vert.x's code-generation annotations, not needed at run time",
          "org.jetbrains.annotations.",
          "annotations, not needed at run time",
          "reactor.blockhound.",
          "Netty's BlockHound integration, a provider for an absent SPI");

  /**
   * Fails when a class reachable from the jar's Main-Class or from its service providers
   * (META-INF/services) refers to a class the jar does not carry and the JDK does not provide,
   * beyond {@link #OPTIONAL}: jdeps's class graph of the jar, walked from those roots, proves the
   * service's classpath complete.
   */
  public void assertReachableClassesResolve() throws IOException {
    Map<String, Set<String>> edges = new HashMap<>();
    Map<String, Set<String>> missing = new HashMap<>();
    Pattern line = Pattern.compile("\\s+(\\S+)\\s+->\\s+(\\S+)\\s+(.+)");
    for (String l : jdeps("--multi-release", "17", "-verbose:class", jar.toString()).split("\n")) {
      Matcher m = line.matcher(l);
      if (m.matches()) {
        String where = m.group(3).strip();
        if (where.equals("not found")) {
          missing.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(m.group(2));
        } else if (where.endsWith(".jar")) {
          edges.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(m.group(2));
        }
      }
    }
    Set<String> reached = new HashSet<>();
    Deque<String> pending = new ArrayDeque<>(roots());
    while (!pending.isEmpty()) {
      String c = pending.pop();
      if (reached.add(c)) {
        pending.addAll(edges.getOrDefault(c, Set.of()));
      }
    }
    assertTrue(reached.size() > 100, "jdeps saw the classes of " + jar);
    List<String> unresolved =
        reached.stream()
            .flatMap(
                c ->
                    missing.getOrDefault(c, Set.of()).stream()
                        .filter(t -> OPTIONAL.keySet().stream().noneMatch(t::startsWith))
                        .map(t -> c + " -> " + t))
            .sorted()
            .limit(20)
            .toList();
    assertEquals(List.of(), unresolved, jar.getFileName() + " lacks classes its code reaches");
  }

  /** The Main-Class and every service provider the jar declares. */
  private List<String> roots() throws IOException {
    List<String> roots = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      roots.add(file.getManifest().getMainAttributes().getValue("Main-Class"));
      for (ZipEntry e : file.stream().toList()) {
        if (e.getName().startsWith("META-INF/services/") && !e.isDirectory()) {
          String text = new String(file.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
          text.lines()
              .map(l -> l.replaceFirst("#.*", "").strip())
              .filter(l -> !l.isEmpty())
              .forEach(roots::add);
        }
      }
    }
    return roots;
  }

  private static String jdeps(String... args) {
    ToolProvider tool =
        ToolProvider.findFirst("jdeps").orElseThrow(() -> new IllegalStateException("no jdeps"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = tool.run(new PrintWriter(out), new PrintWriter(err), args);
    assertEquals(0, status, "jdeps: " + err);
    return out.toString();
  }

  /** Starts {@code java -jar JAR args...} with both its output streams going to {@code log}. */
  public Process start(Path log, String... args) throws IOException {
    return command(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * Sends SIGTERM and fails unless the service ends within {@code seconds} with status 0, with its
   * log as the message.
   */
  public static void assertSigtermEndsItWithZero(Process service, Path log, long seconds)
      throws IOException, InterruptedException {
    service.destroy(); // SIGTERM
    assertTrue(service.waitFor(seconds, TimeUnit.SECONDS), "it stops on SIGTERM");
    assertEquals(0, service.exitValue(), Files.readString(log));
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
