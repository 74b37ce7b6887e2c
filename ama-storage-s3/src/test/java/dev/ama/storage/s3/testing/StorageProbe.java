package dev.ama.storage.s3.testing;

import dev.ama.spi.Content;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A tiny program that opens a store location the way the {@code ama} CLI does (no options, so
 * credentials, region and endpoint come from the location and the environment), writes and reads
 * one object, and prints {@code OK <text read>} or {@code ERROR <message>}. {@link #run} starts it
 * as a child JVM, to check what a fresh process with a given environment sees.
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

  /** What the probe printed and its exit status. */
  public record Result(int exit, String output) {}

  /**
   * Runs the probe in a fresh JVM on this JVM's class path, writing {@code text} to {@code key}
   * of {@code location}. Every {@code AWS_*} variable of this process is removed first, so the
   * child sees only {@code env}'s.
   */
  public static Result run(Map<String, String> env, String location, String key, String text)
      throws IOException, InterruptedException {
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        StorageProbe.class.getName(), location, key, text);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new IOException("the storage probe did not finish within 60s: " + new String(out, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
    } finally {
      p.destroyForcibly();
    }
  }
}
