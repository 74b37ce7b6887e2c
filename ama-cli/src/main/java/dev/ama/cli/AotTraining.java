package dev.ama.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workload {@code bin/ama} records a JDK 25 AOT cache from (JEP 483, 514, 515): the commands a
 * person runs on a local store, then on an S3 store served in memory on the loopback address by
 * {@link TrainingS3Endpoint}, in-process, in a temporary folder that is removed afterwards, so the
 * classes they load, link and profile (the AWS SDK's among them) are ready in the next cold start.
 * Nothing outside the temporary folder is read or written: the environment given to the commands
 * is made up here, and the SDK is pointed away from the user's AWS files.
 *
 * <p>Not part of the command line: {@code bin/ama} starts it in the background with {@code
 * -XX:AOTCacheOutput}, after a command finished, when no cache fits the JDK and the jars.
 */
public final class AotTraining {
  private AotTraining() {}

  /**
   * Runs the workload; exits 0 if every command on the local store did what it should, else 1.
   * With {@code --s3}, the S3 commands follow (for the cache of commands on an S3 store); they do
   * not decide the exit code: a machine whose loopback cannot be bound still gets a cache, without
   * the SDK in it.
   */
  public static void main(String... args) throws IOException {
    Path dir = Files.createTempDirectory("ama-aot-training-");
    int failed;
    try {
      failed = train(dir);
      if (List.of(args).contains("--s3")) {
        try {
          trainS3(dir);
        } catch (IOException | RuntimeException e) {
          // The endpoint could not start (no loopback to bind?): the cache keeps what ran so far.
        }
      }
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
    return run(work, env, commands);
  }

  /**
   * The commands of an S3 store, in {@code dir}: a new asset uploaded, listed, shown and
   * downloaded through the AWS SDK against a {@link TrainingS3Endpoint}. Returns how many failed.
   */
  static int trainS3(Path dir) throws IOException {
    Path work = Files.createDirectories(dir.resolve("work-s3"));
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.writeString(work.resolve("dataset.yml"), "rows: 1000\nsplit: train\n");
    Files.write(work.resolve("shard-0.bin"), new byte[64 << 10]);
    Map<String, String> saved = new LinkedHashMap<>();
    try (TrainingS3Endpoint s3 = TrainingS3Endpoint.start()) {
      // The SDK reads its credentials and files through system properties before the environment;
      // set for the training's commands only, and put back after.
      Map<String, String> sdk = Map.of(
          "aws.accessKeyId", "training",
          "aws.secretAccessKey", "training",
          "aws.configFile", dir.resolve("no-aws-config").toString(),
          "aws.sharedCredentialsFile", dir.resolve("no-aws-credentials").toString(),
          "aws.disableEc2Metadata", "true");
      sdk.forEach((k, v) -> saved.put(k, System.setProperty(k, v)));
      Map<String, String> env = Map.of(
          Settings.ENV_HOME, home.toString(),
          Settings.ENV_OS_USER, "training",
          Settings.ENV_STORE, "s3://training/store?region=us-east-1&endpoint=" + s3.uri(),
          Settings.ENV_CACHE, dir.resolve("cache-s3").toString());
      return run(work, env, List.of(
          List.of("init", "training_data"),
          List.of("add", "dataset.yml,", "shard-0.bin"),
          List.of("set", "--alias", "latest"),
          List.of("upload"),
          List.of("ls"),
          List.of("ls", "training_data", "--versions"),
          List.of("show", "training_data", "--alias", "latest"),
          List.of("download", "training_data", "--alias", "latest", "-o", dir.resolve("down-s3").toString()),
          List.of("verify")));
    } finally {
      saved.forEach((k, v) -> {
        if (v == null) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
    }
  }

  private static int run(Path work, Map<String, String> env, List<List<String>> commands) {
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
