package io.scorestream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/** A service's own runnable jar as its artifact test reads and runs it. */
public final class ServiceJar {
  private final Path jar;

  public ServiceJar(Path jar) {
    this.jar = jar;
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

  /** Fails naming the first few classes or natives it ships under any of {@code prefixes}. */
  public void assertShipsNothingUnder(List<String> prefixes) throws IOException {
    List<String> names = entries();
    for (String prefix : prefixes) {
      assertEquals(
          List.of(),
          names.stream()
              .filter(n -> n.startsWith(prefix) && (n.endsWith(".class") || n.endsWith(".so")))
              .limit(5)
              .toList(),
          jar.getFileName() + " ships " + prefix);
    }
  }

  /** Its manifest's Main-Class. */
  public String mainClass() throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.getManifest().getMainAttributes().getValue("Main-Class");
    }
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
