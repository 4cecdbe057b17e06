package io.scorestream.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** {@code scorestream} commands run in the test's JVM through {@link Main#run}, output captured. */
final class InProcess {
  private InProcess() {}

  /** What a command said and how it ended. */
  record Run(int code, String err, String out) {}

  static Run run(String... args) {
    PrintStream savedErr = System.err;
    PrintStream savedOut = System.out;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args);
      return new Run(
          code, err.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(savedErr);
      System.setOut(savedOut);
    }
  }
}
