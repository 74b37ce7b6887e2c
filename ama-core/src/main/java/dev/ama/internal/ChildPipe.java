package dev.ama.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lines a parent sends a child JVM that opens the same store (the store probe's {@link
 * ProbeChild}, the contract suite's child): a store location and its options, URL-encoded, one a
 * line. Options travel through the pipe, never on a command line, where other users of the machine
 * could read credentials. Not API.
 */
public final class ChildPipe {
  private ChildPipe() {}

  /** One word or line of the protocol, URL-encoded. */
  public static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /**
   * Reverses {@link #encode}.
   *
   * @throws IllegalStateException if the line is missing (the parent closed the pipe)
   */
  public static String decode(String s) {
    if (s == null) {
      throw new IllegalStateException("the parent closed the pipe before sending the store's location and options");
    }
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** Options as one line: {@code key=value&...}, each part URL-encoded. */
  public static String encodeOptions(Map<String, String> options) {
    StringBuilder b = new StringBuilder();
    options.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(encode(k)).append('=').append(encode(v)));
    return b.toString();
  }

  /** Reverses {@link #encodeOptions}; a missing or empty line is no options. */
  public static Map<String, String> decodeOptions(String line) {
    Map<String, String> options = new LinkedHashMap<>();
    if (line != null && !line.isEmpty()) {
      for (String pair : line.split("&")) {
        int eq = pair.indexOf('=');
        options.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
      }
    }
    return options;
  }
}
