package dev.ama.examples.cloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The seed workflow exactly as users type it, each command a fresh {@code ama} process (as from
 * {@code bin/ama}), against a store given through {@code AMA_STORE} and the environment a user
 * would set for the cloud.
 */
final class SeedWorkflow {
  private final Path work;
  private final Map<String, String> environment;

  SeedWorkflow(Path work, Map<String, String> environment) {
    this.work = work;
    this.environment = environment;
  }

  /** Runs the seed commands and checks the downloads byte for byte. */
  void runAndCheck() throws Exception {
    Path out = Files.createDirectories(work.resolve("output_dir"));
    write(out, "git_commit_info_ckpt0.yml", "model_repo: 3f2c1e9\n");
    write(out, "run_config_ckpt0.yml", "checkpoint: 0\n");
    write(out, "training.yml", "learning_rate: 0.001\nepochs: 20\n");
    write(out, "graph_version.txt", "2.15\n");
    write(out, "meta.yml", "description: sequence model\n");
    byte[] weights = new byte[3 * 1024 * 1024 + 5];
    new Random(42).nextBytes(weights);
    Files.write(out.resolve("model.h5"), weights);
    write(out, "model.yml", "layers: [lstm, dense]\n");
    write(out, "summary_dict.json", "{\"loss\": 0.01}\n");

    ama(out, "init", "nlp_embeddings");
    ama(out, "add", "git_commit_info_ckpt0.yml,", "run_config_ckpt0.yml,", "training.yml");
    ama(out, "set", "--alias", "my_training_inputs");
    ama(out, "upload");
    ama(out, "init", "sequence_models");
    ama(out, "add", "graph_version.txt,", "meta.yml,", "model.h5,", "model.yml,", "summary_dict.json");
    ama(out, "set", "--alias", "my_model");
    ama(out, "add", "ref", "--alias", "my_training_inputs");
    ama(out, "upload");

    Path elsewhere = Files.createDirectories(work.resolve("teammate"));
    ama(elsewhere, "download", "sequence_models", "--alias", "my_model");
    ama(elsewhere, "download", "sequence_models", "--alias", "my_model", "--refs", "-o", "with_refs");

    for (String f : List.of("graph_version.txt", "meta.yml", "model.h5", "model.yml", "summary_dict.json")) {
      assertArrayEquals(Files.readAllBytes(out.resolve(f)), Files.readAllBytes(elsewhere.resolve("my_model").resolve(f)), f);
      assertArrayEquals(Files.readAllBytes(out.resolve(f)), Files.readAllBytes(elsewhere.resolve("with_refs").resolve(f)), f);
    }
    for (String f : List.of("git_commit_info_ckpt0.yml", "run_config_ckpt0.yml", "training.yml")) {
      assertArrayEquals(Files.readAllBytes(out.resolve(f)),
          Files.readAllBytes(elsewhere.resolve("with_refs/refs/nlp_embeddings/my_training_inputs").resolve(f)), f);
    }
    String log = ama(elsewhere, "log", "sequence_models", "--alias", "my_model", "--json");
    assertEquals(1, log.split("\"seq\"", -1).length - 1, log);
    assertFalse(Files.exists(work.resolve("home/.ama/store")), "the workflow must use AMA_STORE, not the default store");
  }

  private static void write(Path dir, String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  /** Runs one {@code ama} command in a fresh JVM and returns its standard output. */
  String ama(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), "dev.ama.cli.AmaCli"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("AMA_") || k.equals("STORAGE_EMULATOR_HOST"));
    pb.environment().putAll(environment);
    pb.environment().put("HOME", work.resolve("home").toString());
    pb.environment().put("AMA_CACHE", work.resolve("cache").toString());
    pb.environment().put("AMA_USER", "seed-test");
    Path stdout = Files.createTempFile(work, "out", ".txt");
    Path stderr = Files.createTempFile(work, "err", ".txt");
    Process p = pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("ama " + String.join(" ", args) + " did not finish in 120 s");
    }
    String err = Files.readString(stderr);
    if (p.exitValue() != 0) {
      throw new AssertionError("ama " + String.join(" ", args) + " exited " + p.exitValue() + ": " + err);
    }
    return Files.readString(stdout);
  }
}
