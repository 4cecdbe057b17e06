package io.scorestream.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/scorestream} run as a user runs it, from a working directory, for the integration
 * tests.
 */
final class Cli {
  private static final Pattern BOOTSTRAP = Pattern.compile("--bootstrap-servers (\\S+)");
  private final Path home =
      Path.of(System.getProperty("scorestream.home", "..")).toAbsolutePath().normalize();
  private final Path dir;

  Cli(Path dir) {
    this.dir = dir;
  }

  /** What a finished command said and how it ended. */
  record Run(int code, String out, String err) {}

  /** A running {@code dev}: its process, its log and the address it printed. */
  record Dev(Process process, Path log, String bootstrap) {
    String output() throws IOException {
      return read(log);
    }
  }

  ProcessBuilder command(String... args) {
    List<String> line = new ArrayList<>();
    line.add(home.resolve("bin/scorestream").toString());
    line.addAll(List.of(args));
    return new ProcessBuilder(line).directory(dir.toFile());
  }

  /** Runs a command to its end (two minutes at most). */
  Run run(String... args) throws Exception {
    Process p = command(args).redirectErrorStream(false).start();
    var out = p.getInputStream().readAllBytes();
    var err = p.getErrorStream().readAllBytes();
    assertTrue(
        p.waitFor(120, TimeUnit.SECONDS), "scorestream " + String.join(" ", args) + " ended");
    return new Run(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8).strip(),
        new String(err, StandardCharsets.UTF_8));
  }

  /**
   * Starts {@code dev} with these arguments, its output in {@code log}, and waits until it says
   * where it is.
   */
  Dev dev(Path log, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("dev"));
    all.addAll(List.of(args));
    Process dev =
        command(all.toArray(String[]::new))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    String output = awaitOutput("dev starts", Duration.ofSeconds(120), dev, log, Cli::tellsAddress);
    Matcher m =
        BOOTSTRAP.matcher(output.lines().filter(Cli::tellsAddress).findFirst().orElseThrow());
    assertTrue(m.find(), output);
    return new Dev(dev, log, m.group(1));
  }

  private static boolean tellsAddress(String output) {
    return output
        .lines()
        .anyMatch(line -> line.startsWith("try:") && BOOTSTRAP.matcher(line).find());
  }

  /** A file's text, or "" while it does not exist. */
  static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  /**
   * Waits until a file a process writes to shows what {@code shows} looks for; fails as soon as the
   * process (when given) has ended, with what the file held. The file's text.
   */
  static String awaitOutput(
      String what, Duration atMost, Process process, Path file, Predicate<String> shows) {
    return await(what)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              String output = read(file);
              if (!shows.test(output) && process != null && !process.isAlive()) {
                throw new IllegalStateException(what + ": the process ended; it wrote: " + output);
              }
              return output;
            },
            shows);
  }
}
