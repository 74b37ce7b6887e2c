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
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The other process of the store probe ({@code ama doctor}): opens the store by its location and
 * options, as another machine would, and races the parent's create-only writes. Not API.
 *
 * <p>Standard input: the location, then the options ({@link ChildPipe}), then one command a line: {@code PUT key writer} (a create-only write of {@link #bytesOf(String)},
 * answered with the outcome's name or {@code ERROR ...}) and {@code EXIT}.
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
    String location = ChildPipe.decode(in.readLine());
    Map<String, String> options = ChildPipe.decodeOptions(in.readLine());
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
      return storage.putIfAbsent(ChildPipe.decode(words[1]), Content.ofBytes(bytesOf(words[2]))).name();
    } catch (IOException | RuntimeException e) {
      return ("ERROR " + e).replace('\n', ' ').replace('\r', ' ');
    }
  }

  /** The bytes a writer puts, so that the winner can be told from the object's content. */
  public static byte[] bytesOf(String writer) {
    return ("ama probe writer " + writer + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
