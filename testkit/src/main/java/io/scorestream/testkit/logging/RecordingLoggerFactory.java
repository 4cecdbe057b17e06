package io.scorestream.testkit.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventBuilder;

/** Loggers that hand each line to {@link LogRecords}, then to the printing logger of the name. */
final class RecordingLoggerFactory implements ILoggerFactory {
  private static final String OURS = "io.scorestream";

  private final ILoggerFactory printing;
  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

  RecordingLoggerFactory(ILoggerFactory printing) {
    this.printing = printing;
  }

  @Override
  public Logger getLogger(String name) {
    return loggers.computeIfAbsent(name, n -> new RecordingLogger(n, printing.getLogger(n)));
  }

  /** Records ScoreStream's lines from DEBUG up, whatever the printing level; others as printed. */
  private static final class RecordingLogger extends LegacyAbstractLogger {
    private final Logger printed;
    private final boolean ours;

    RecordingLogger(String name, Logger printed) {
      this.name = name;
      this.printed = printed;
      this.ours = name.startsWith(OURS);
    }

    @Override
    public boolean isTraceEnabled() {
      return printed.isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
      return ours || printed.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
      return ours || printed.isInfoEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
      return ours || printed.isWarnEnabled();
    }

    @Override
    public boolean isErrorEnabled() {
      return ours || printed.isErrorEnabled();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] args, Throwable thrown) {
      String text = MessageFormatter.basicArrayFormat(pattern, args);
      if (thrown != null) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        text += System.lineSeparator() + trace.toString().stripTrailing();
      }
      LogRecords.record(name, level, text);
      if (printed.isEnabledForLevel(level)) {
        LoggingEventBuilder event = printed.makeLoggingEventBuilder(level).setCause(thrown);
        if (args == null) {
          event.log(pattern);
        } else {
          event.log(pattern, args);
        }
      }
    }
  }
}
