package io.scorestream.jobs;

/**
 * Text cut to a length for a record or a message, never between the two halves of a character
 * beyond 16 bits.
 */
public final class Texts {
  private Texts() {}

  /**
   * The first {@code max} UTF-16 units of {@code s} (one fewer where the last would be a lone high
   * surrogate, which protobuf cannot encode), followed by {@code more} when anything was cut.
   */
  public static String cut(String s, int max, String more) {
    if (s.length() <= max) {
      return s;
    }
    int end = max > 0 && Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end) + more;
  }
}
