package dev.ama.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The workload {@code bin/ama} records a JDK 25 AOT cache from (JEP 483, 514, 515): the commands a
 * person runs on a local store, in-process, in a temporary folder that is removed afterwards, so
 * the classes they load, link and profile are ready in the next cold start. Nothing outside the
 * temporary folder is read or written: the environment given to the commands is made up here.
 *
 * <p>Not part of the command line: {@code bin/ama} starts it in the background with {@code
 * -XX:AOTCacheOutput}, after a command finished, when no cache fits the JDK and the jars.
 */
public final class AotTraining {
  private AotTraining() {}

  /** Runs the workload; exits 0 if every command did what it should, else 1. */
  public static void main(String... args) throws IOException {
    Path dir = Files.createTempDirectory("ama-aot-training-");
    int failed;
    try {
      failed = train(dir);
    } finally {
      ScratchDir.delete(dir);
    }
    System.exit(failed == 0 ? 0 : 1);
  }

  /** The commands, each run in {@code dir}; returns how many failed. */
  static int train(Path dir) throws IOException {
    Path work = Files.createDirectories(dir.resolve("work"));
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.writeString(work.resolve("model.yml"), "layers: 4\nlearning_rate: 0.001\n");
    Files.writeString(work.resolve("summary.json"), "{\"loss\": 0.12}\n");
    Files.write(work.resolve("weights.bin"), new byte[256 << 10]);
    Map<String, String> env = Map.of(
        Settings.ENV_HOME, home.toString(),
        Settings.ENV_OS_USER, "training",
        Settings.ENV_STORE, dir.resolve("store").toString(),
        Settings.ENV_CACHE, dir.resolve("cache").toString());
    List<List<String>> commands = List.of(
        List.of("--help"),
        List.of("help", "download"),
        List.of("init", "training_models"),
        List.of("add", "model.yml,", "summary.json,", "weights.bin"),
        List.of("set", "--alias", "latest"),
        List.of("status"),
        List.of("upload"),
        List.of("ls"),
        List.of("ls", "training_models"),
        List.of("ls", "training_models", "--versions", "--json"),
        List.of("show", "training_models", "--alias", "latest"),
        List.of("log", "training_models", "--alias", "latest"),
        List.of("download", "training_models", "--alias", "latest", "-o", dir.resolve("down").toString()),
        List.of("verify"));
    PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
    int failed = 0;
    for (List<String> command : commands) {
      if (AmaCli.run(work, env, discard, discard, command.toArray(String[]::new)) != 0) {
        failed++;
      }
    }
    return failed;
  }
}
