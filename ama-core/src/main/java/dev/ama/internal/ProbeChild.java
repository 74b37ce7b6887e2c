package dev.ama.internal;

import dev.ama.spi.Content;
import dev.ama.spi.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The other process of the store probe ({@code ama doctor}): opens the store by its location and
 * options, as another machine would, and races the parent's create-only writes. Not API.
 *
 * <p>Standard input: the location, then the options ({@link ChildPipe}), then one command a line: {@code PUT key writer} (a create-only write of {@link #bytesOf(String)},
 * answered with the outcome's name or {@code ERROR ...}) and {@code EXIT}.
 */
public final class ProbeChild {
  /** The answer once the store is open. */
  public static final String READY = ChildPipe.READY;

  private ProbeChild() {}

  /**
   * Runs the protocol above on standard input and output.
   *
   * @param args none
   * @throws IOException if the store cannot be opened
   */
  public static void main(String[] args) throws IOException {
    ChildPipe.serve(ProbeChild::run);
  }

  private static String run(Storage storage, String[] words) {
    if (!words[0].equals("PUT") || words.length != 3) {
      return "ERROR unknown command " + String.join(" ", words);
    }
    try {
      return storage.putIfAbsent(ChildPipe.decode(words[1]), Content.ofBytes(bytesOf(words[2]))).name();
    } catch (IOException | RuntimeException e) {
      return "ERROR " + e;
    }
  }

  /** The bytes a writer puts, so that the winner can be told from the object's content. */
  public static byte[] bytesOf(String writer) {
    return ("ama probe writer " + writer + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
