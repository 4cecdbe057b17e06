package io.scorestream.testkit.logging;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * What ScoreStream logged while a test watched: each line as its logger formatted it (its stack
 * trace after it), from every thread, by logger name. Needs {@link RecordingServiceProvider} as the
 * test JVM's SLF4J provider (the services' Surefire configuration names it); lines still print as
 * slf4j-simple prints them.
 */
public final class LogRecords {
  private static final List<Capture> ACTIVE = new CopyOnWriteArrayList<>();

  private LogRecords() {}

  /** One logged line. */
  public record Line(String logger, Level level, String text) {}

  /**
   * Captures what loggers named from {@code prefix} on (a package, or a class's name) log at DEBUG
   * or above from now until closed.
   */
  public static Capture capture(String prefix) {
    if (!(LoggerFactory.getILoggerFactory() instanceof RecordingLoggerFactory)) {
      throw new IllegalStateException(
          "SLF4J's provider is "
              + LoggerFactory.getILoggerFactory().getClass().getName()
              + ", not the test kit's: set -Dslf4j.provider="
              + RecordingServiceProvider.class.getName());
    }
    Capture capture = new Capture(prefix);
    ACTIVE.add(capture);
    return capture;
  }

  /** Captures what one class logs. */
  public static Capture capture(Class<?> source) {
    return capture(source.getName());
  }

  static void record(String logger, Level level, String text) {
    for (Capture c : ACTIVE) {
      if (logger.startsWith(c.prefix)) {
        c.lines.add(new Line(logger, level, text));
      }
    }
  }

  /** The lines captured so far, in order; closing stops the capture. */
  public static final class Capture implements AutoCloseable {
    private final String prefix;
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private Capture(String prefix) {
      this.prefix = prefix;
    }

    public List<Line> lines() {
      return List.copyOf(lines);
    }

    /** The texts of the lines captured so far. */
    public List<String> texts() {
      return lines.stream().map(Line::text).toList();
    }

    /** The texts of the lines at {@code level} or more severe. */
    public List<String> texts(Level atLeast) {
      return lines.stream()
          .filter(l -> l.level().toInt() >= atLeast.toInt())
          .map(Line::text)
          .toList();
    }

    @Override
    public String toString() {
      return String.join("\n", texts());
    }

    @Override
    public void close() {
      ACTIVE.remove(this);
    }
  }
}
