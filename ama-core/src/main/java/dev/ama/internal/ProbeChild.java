package dev.ama.internal;

import dev.ama.spi.Content;
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
 * The other process of the store probe ({@code ama doctor}): opens the store by its location and
 * options, as another machine would, and races the parent's create-only writes. Not API.
 *
 * <p>Standard input: the location, then the options ({@code key=value&...}, URL-encoded), then
 * one command a line: {@code PUT key writer} (a create-only write of {@link #bytesOf(String)},
 * answered with the outcome's name or {@code ERROR ...}) and {@code EXIT}. The options travel
 * through the pipe, not the command line, where other users could read credentials.
 */
public final class ProbeChild {
  /** The answer once the store is open. */
  public static final String READY = "READY";

  private ProbeChild() {}

  /**
   * Runs the protocol above on standard input and output.
   *
   * @param args none
   * @throws IOException if the store cannot be opened
   */
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    // Answers go to the real standard output; a backend's logging goes to standard error.
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
        out.println(run(storage, words));
      }
    } catch (IOException | RuntimeException e) {
      out.println(("ERROR opening " + location + ": " + e).replace('\n', ' '));
      throw e;
    }
  }

  private static String run(Storage storage, String[] words) {
    if (!words[0].equals("PUT") || words.length != 3) {
      return "ERROR unknown command " + String.join(" ", words);
    }
    try {
      return storage.putIfAbsent(decode(words[1]), Content.ofBytes(bytesOf(words[2]))).name();
    } catch (IOException | RuntimeException e) {
      return ("ERROR " + e).replace('\n', ' ').replace('\r', ' ');
    }
  }

  /** The bytes a writer puts, so that the winner can be told from the object's content. */
  public static byte[] bytesOf(String writer) {
    return ("ama probe writer " + writer + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** URL-encodes one line of the protocol. */
  public static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Options as one line of the protocol. */
  public static String encodeOptions(Map<String, String> options) {
    StringBuilder b = new StringBuilder();
    options.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(encode(k)).append('=').append(encode(v)));
    return b.toString();
  }

  private static String decode(String s) {
    if (s == null) {
      throw new IllegalStateException("the parent closed the pipe before sending the store's location and options");
    }
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static Map<String, String> decodeOptions(String line) {
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
