package io.scorestream.testkit.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class LogRecordsTest {
  private final Logger log = LoggerFactory.getLogger("io.scorestream.testkit.sample.Speaker");

  @Test
  void everyFormOfACallIsRecordedAsItsLoggerFormatsIt() {
    try (LogRecords.Capture capture = LogRecords.capture("io.scorestream.testkit.sample")) {
      log.info("no arguments");
      log.warn("one {} and {}", "argument", 2);
      log.error("with a trace", new IllegalStateException("boom"));
      log.debug("debug is recorded though not printed");
      LoggerFactory.getLogger("io.scorestream.elsewhere").info("another package");
      assertEquals(
          List.of("no arguments", "one argument and 2", "debug is recorded though not printed"),
          capture.texts().stream().filter(t -> !t.startsWith("with a trace")).toList());
      List<String> errors = capture.texts(Level.ERROR);
      assertEquals(1, errors.size());
      assertTrue(
          errors.get(0).contains("IllegalStateException: boom") && errors.get(0).contains("\tat "),
          errors.get(0));
    }
  }

  @Test
  void aClosedCaptureTakesNothingMore() {
    LogRecords.Capture capture = LogRecords.capture("io.scorestream.testkit.sample");
    capture.close();
    log.info("after");
    assertEquals(List.of(), capture.texts());
  }
}
