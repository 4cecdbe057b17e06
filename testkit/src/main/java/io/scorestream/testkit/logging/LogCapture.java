package io.scorestream.testkit.logging;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.event.Level;

/**
 * What a package logs during each test ({@code @RegisterExtension final LogCapture log = new
 * LogCapture("io.scorestream.worker")}): captured from before the test to after it.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {
  private final String prefix;
  private LogRecords.Capture capture;

  public LogCapture(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    capture = LogRecords.capture(prefix);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    capture.close();
  }

  /** The texts logged so far in this test, each with its stack trace. */
  public List<String> texts() {
    return capture.texts();
  }

  /** The texts logged so far at {@code level} or more severe. */
  public List<String> texts(Level atLeast) {
    return capture.texts(atLeast);
  }

  /** True once a text logged in this test contains {@code part}. */
  public boolean saw(String part) {
    return texts().stream().anyMatch(t -> t.contains(part));
  }

  @Override
  public String toString() {
    return capture.toString();
  }
}
