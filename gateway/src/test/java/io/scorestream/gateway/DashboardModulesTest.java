package io.scorestream.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.core.sample.Samplers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard's pure modules (API client, event frames, job views, requests, drawing transforms,
 * pixels) under their own unit tests, {@code src/test/js/*.test.js}, run by Node's test runner: the
 * modules touch no page, so they need no browser. The browser tests ({@link DashboardBrowserTest})
 * cover the page as a whole.
 */
class DashboardModulesTest {

  private static final Path TESTS = Path.of("src/test/js");
  private static final Pattern COUNT = Pattern.compile("(?m)^# (pass|fail) (\\d+)$");
  private static final Pattern DECLARED = Pattern.compile("(?m)^test\\(");

  @Test
  @Timeout(120)
  void everyModuleTestRunsAndPassesUnderNodesTestRunner() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", "--test"));
    int declared = 0;
    try (Stream<Path> files = Files.list(TESTS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".test.js")).sorted().toList()) {
        command.add(file.toString());
        declared += (int) DECLARED.matcher(Files.readString(file)).results().count();
      }
    }
    assertTrue(declared > 0, "tests declared under " + TESTS);
    Process node = new ProcessBuilder(command).redirectErrorStream(true).start();
    String report = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node ended");

    Matcher counts = COUNT.matcher(report);
    int passed = -1;
    int failed = -1;
    while (counts.find()) {
      int n = Integer.parseInt(counts.group(2));
      if (counts.group(1).equals("pass")) passed = n;
      else failed = n;
    }
    assertEquals(0, node.exitValue(), report);
    assertEquals(0, failed, report);
    assertEquals(declared, passed, "every declared test ran and passed:\n" + report);
  }

  @Test
  void theFormDisablesTheAdaptiveSamplerBelowTheServersOwnLimit() throws IOException {
    String requests = Files.readString(Path.of("src/main/resources/webroot/js/requests.js"));
    assertTrue(
        requests.contains(
            "export const ADAPTIVE_MIN_VALUES = " + Samplers.ADAPTIVE_MIN_VALUES + ";"),
        "requests.js and Samplers agree on the adaptive sampler's fewest values");
  }
}
