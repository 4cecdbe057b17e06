package io.scorestream.cli.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules on the sources that no formatter keeps: the JDK's types by their imported names, never
 * spelled out inline; tests that wait through a library (Awaitility, a future, a queue's timed
 * poll), never by sleeping or by a loop on the clock.
 */
class SourceRulesTest {
  /** A JDK type spelled out in code (not in an import, a string or a comment's link). */
  static final Pattern INLINE_JDK_NAME =
      Pattern.compile("(?<![\\w.\"])java\\.(?:util|io|nio|time|net)(?:\\.[a-z]\\w*)*\\.[A-Z]\\w*");

  @Test
  void jdkTypesAreImportedNotSpelledOutInline() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path file : javaSources()) {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (!line.startsWith("import ") && !line.startsWith("*") && !line.startsWith("//")) {
          if (INLINE_JDK_NAME.matcher(line).find()) {
            found.add(file + ":" + (i + 1) + ": " + line);
          }
        }
      }
    }
    assertEquals(List.of(), found, "JDK types spelled out inline; import them");
  }

  /** A sleep, or a loop condition on the clock: a hand-written wait. */
  static final Pattern HAND_WRITTEN_WAIT =
      Pattern.compile(
          "Thread\\.sleep\\(|TimeUnit\\.\\w+\\.sleep\\(|(?:nanoTime|currentTimeMillis)\\(\\)\\s*<");

  @Test
  void testsWaitThroughALibraryNeverBySleepingOrOnTheClock() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path file : javaSources()) {
      if (!file.toString().contains("/src/test/")) continue;
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        if (HAND_WRITTEN_WAIT.matcher(lines.get(i)).find()) {
          found.add(file + ":" + (i + 1) + ": " + lines.get(i).strip());
        }
      }
    }
    assertEquals(List.of(), found, "hand-written waits in tests; use Awaitility");
  }

  @Test
  void theWaitRuleSeesSleepsAndClockLoops() {
    assertTrue(HAND_WRITTEN_WAIT.matcher("Thread." + "sleep(100);").find());
    assertTrue(HAND_WRITTEN_WAIT.matcher("TimeUnit.SECONDS." + "sleep(1);").find());
    assertTrue(HAND_WRITTEN_WAIT.matcher("while (System.nanoTime" + "() < deadline) {").find());
    assertFalse(HAND_WRITTEN_WAIT.matcher("long start = System.nanoTime();").find());
  }

  @Test
  void theRuleSeesAnInlineName() {
    assertTrue(
        INLINE_JDK_NAME.matcher("var m = new java" + ".util.HashMap<String, Integer>();").find());
    assertFalse(INLINE_JDK_NAME.matcher("String s = \"java.util.HashMap\";").find());
    assertFalse(INLINE_JDK_NAME.matcher("Set<Map.Entry<String, String>> entries;").find());
  }

  /** Every module's main and test Java sources, from the reactor's root. */
  static List<Path> javaSources() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(p -> p.toString().endsWith(".java"))
          .filter(p -> p.toString().contains("/src/"))
          .filter(p -> !p.toString().contains("/target/"))
          .filter(p -> !p.toString().contains("/node_modules/"))
          .toList();
    }
  }
}
