package dev.ama.internal;

import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
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
  /** The child's first answer, once the store is open. */
  public static final String READY = "READY";

  private ChildPipe() {}

  /** What a child does with one command: its words in, its one answer out. */
  @FunctionalInterface
  public interface Commands {
    /**
     * Runs one command on the open store.
     *
     * @param storage the store the child opened
     * @param words the command line split at spaces; never {@code EXIT}
     * @return the answer; line breaks in it are sent as spaces
     */
    String run(Storage storage, String[] words);
  }

  /**
   * The child's side: reads the location and the options from standard input, opens the store,
   * answers {@link #READY}, then one line per command until {@code EXIT} or the end of input.
   * Answers go to the real standard output; {@code System.out} is pointed at standard error so
   * that a backend's logging cannot be taken for an answer.
   *
   * @param commands what each command does
   * @throws IOException if the store cannot be opened (after answering {@code ERROR opening ...})
   */
  public static void serve(Commands commands) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    String location = decode(in.readLine());
    Map<String, String> options = decodeOptions(in.readLine());
    try (Storage storage = Storages.open(location, options)) {
      out.println(READY);
      for (String line; (line = in.readLine()) != null; ) {
        String[] words = line.split(" ");
        if (words[0].equals("EXIT")) {
          return;
        }
        out.println(oneLine(commands.run(storage, words)));
      }
    } catch (IOException | RuntimeException e) {
      out.println(oneLine("ERROR opening " + location + ": " + e));
      throw e;
    }
  }

  private static String oneLine(String s) {
    return s.replace('\n', ' ').replace('\r', ' ');
  }

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
