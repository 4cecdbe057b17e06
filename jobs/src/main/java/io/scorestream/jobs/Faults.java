package io.scorestream.jobs;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * How a fault of ScoreStream's own is told: once to the operator, with its stack trace, and in one
 * short line to the client whose job or request it ended (which gets no stack trace).
 */
public final class Faults {
  /** The longest one-line reason a client is given. */
  static final int MAX_REASON_CHARS = 300;

  private Faults() {}

  /** What an operator's log gets: what failed, then the whole stack trace with its causes. */
  public static String describe(String what, Throwable e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    return what + ": " + trace.toString().stripTrailing();
  }

  /** A one-line reason: the exception's type and the first line of its message, cut short. */
  public static String reason(Throwable e) {
    String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    String line = e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    return Texts.cut(line, MAX_REASON_CHARS, "...");
  }
}
