package dev.ama.storage.s3.testing;

import dev.ama.spi.Content;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A tiny program that opens a store location the way the {@code ama} CLI does (no options, so
 * credentials, region and endpoint come from the environment), writes and reads one object, and
 * prints {@code OK <bytes read>} or {@code ERROR <message>}. Tests run it as a child process to
 * check what a fresh process with a given environment sees.
 */
public final class StorageProbe {
  private StorageProbe() {}

  /** Arguments: a store location, a key, the text to write there. */
  public static void main(String[] args) {
    try (Storage storage = Storages.open(args[0])) {
      storage.putIfAbsent(args[1], Content.ofBytes(args[2].getBytes(StandardCharsets.UTF_8)));
      try (InputStream in = storage.open(args[1])) {
        System.out.println("OK " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (Exception e) {
      System.out.println("ERROR " + e.getMessage());
      System.exit(1);
    }
  }
}
