package dev.ama.cli;

/**
 * Text from a store, a manifest or the disk, made safe to print on a terminal. Such text is not
 * ama's: a file name or label may hold ESC, BEL or other control characters that a terminal obeys
 * (moving the cursor, rewriting earlier lines, changing the window title), or bidirectional
 * overrides that make it read differently from what it is. Those are shown as visible escapes
 * instead: {@code \x1b}, {@code \n}, and beyond ASCII a backslash, {@code u} and four hex digits
 * (right-to-left override: backslash-u202e). Everything else, other
 * languages' letters included, is printed as it is. JSON output needs none of this: its encoder
 * escapes control characters itself.
 */
final class TerminalText {
  private TerminalText() {}

  /** The text with every character a terminal could act on escaped; {@code "null"} for null. */
  static String safe(String text) {
    if (text == null) {
      return "null";
    }
    int first = firstUnsafe(text);
    if (first < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 8).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else if (!unsafe(c)) {
        out.append(c);
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c < 0x80) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }

  /**
   * Like {@link #safe} but keeping line breaks: for text of several lines that ama laid out
   * itself around untrusted names, such as a lineage tree.
   */
  static String safeLines(String text) {
    if (text == null || firstUnsafe(text) < 0) {
      return safe(text);
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    int start = 0;
    for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      out.append(safe(text.substring(start, nl))).append('\n');
      start = nl + 1;
    }
    return out.append(safe(text.substring(start))).toString();
  }

  private static int firstUnsafe(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (unsafe(c)) {
        return i;
      }
    }
    return -1;
  }

  /** C0 controls, DEL, C1 controls, lone surrogates, bidirectional controls, line separators. */
  private static boolean unsafe(char c) {
    return c < 0x20 || Character.isSurrogate(c) || unsafeBeyondJson(c);
  }

  /**
   * What a terminal may act on that JSON leaves as it is: DEL, C1 controls, bidirectional
   * controls and line separators (JSON escapes C0 controls itself, and pairs surrogates).
   */
  static boolean unsafeBeyondJson(int c) {
    return (c >= 0x7f && c <= 0x9f)
        || c == 0x061c
        || c == 0x200e
        || c == 0x200f
        || (c >= 0x2028 && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069);
  }
}
