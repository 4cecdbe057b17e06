package io.scorestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scorestream.jobs.cli.CommandLines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a client command's API key comes from when it goes through a gateway. */
class GatewayOptionsTest {
  private record Run(int code, String err) {}

  private static Run cancel(Map<String, String> environment) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      // port 9 (discard) on loopback: nothing listens, so a request with a key fails to connect
      int code =
          CommandLines.execute(
              environment, new Main(), "cancel", "--gateway", "http://127.0.0.1:9", "job-1");
      return new Run(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void theKeyComesFromTheEnvironmentWhenNotGiven() {
    Run missing = cancel(Map.of());
    assertEquals(2, missing.code(), missing.err());
    assertTrue(missing.err().contains("needs an API key"), missing.err());
    Run fromEnvironment = cancel(Map.of(GatewayOptions.KEY_VARIABLE, "ss_from_env"));
    assertEquals(
        1,
        fromEnvironment.code(),
        "past the key, the request itself fails: " + fromEnvironment.err());
    assertTrue(!fromEnvironment.err().contains("API key"), fromEnvironment.err());
  }
}
