package dev.ama.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs {@code ama} in-process in a working folder with a store, cache and home under one temp dir. */
final class Ama {
  /** What one run printed and returned. */
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  final Path root;
  final Path work;
  final Path store;
  final Path home;
  final Map<String, String> env = new HashMap<>();

  Ama(Path root) {
    this.root = root;
    this.work = mkdirs(root.resolve("work"));
    this.store = root.resolve("store");
    this.home = mkdirs(root.resolve("home"));
    env.put("AMA_STORE", store.toString());
    env.put("AMA_USER", "alice");
    env.put("AMA_CACHE", root.resolve("cache").toString());
    env.put("HOME", home.toString());
  }

  /**
   * An {@code ama} whose uploads create the store in format 1: for tests that reach into its loose
   * {@code blobs/} (to damage, slow or watch them) or run gc, which refuses format 2 stores.
   */
  static Ama format1(Path root) {
    Ama ama = new Ama(root);
    ama.env.put("AMA_STORE_FORMAT", "1");
    return ama;
  }

  Result run(String... args) {
    return runIn(work, args);
  }

  Result runIn(Path dir, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AmaCli.run(dir, env, new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Runs and insists on exit code 0, showing the output otherwise. */
  Result ok(String... args) {
    Result r = run(args);
    if (r.code() != 0) {
      throw new AssertionError("ama " + String.join(" ", args) + " failed: " + r);
    }
    return r;
  }

  /** The stage file of the working folder as JSON. */
  JsonNode stage() throws IOException {
    return new ObjectMapper().readTree(work.resolve(".ama/stage.json").toFile());
  }

  /** The paths staged in the working folder, in the order of the stage file. */
  List<String> stagedPaths() throws IOException {
    List<String> paths = new ArrayList<>();
    stage().get("files").forEach(f -> paths.add(f.get("path").asText()));
    return paths;
  }

  /** Writes the stage file as given, bypassing ama, for tests of a damaged one. */
  void writeStage(String content) throws IOException {
    Files.createDirectories(work.resolve(".ama"));
    Files.writeString(work.resolve(".ama/stage.json"), content);
  }

  Path write(String name, String content) {
    return write(work, name, content.getBytes(StandardCharsets.UTF_8));
  }

  static Path write(Path dir, String name, byte[] content) {
    try {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      return Files.write(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path mkdirs(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
