package dev.ama.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The CLI's distribution archive unpacked as a user unpacks it (with {@code tar}), and its {@code
 * bin/ama} run in child processes with a clean environment: only {@code PATH} (the test JVM's
 * {@code java} first), {@code HOME} and what a test adds. Shared with other modules' tests through
 * this module's test-jar.
 */
public final class UnpackedDistribution {
  /** What one run printed and returned. */
  public record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  private final Path root;
  private final Path scratch;

  private UnpackedDistribution(Path root, Path scratch) {
    this.root = root;
    this.scratch = scratch;
  }

  /**
   * The archive named by the system property {@code ama.dist.archive}, which the build sets to the
   * {@code ama-cli-<version>.tar.gz} of its package phase.
   */
  public static Path archive() {
    String name = System.getProperty("ama.dist.archive");
    if (name == null) {
      throw new AssertionError("system property ama.dist.archive is not set; run this test with failsafe"
          + " (mvn verify), which sets it to ama-cli's ama-cli-<version>.tar.gz");
    }
    Path archive = Path.of(name);
    if (!Files.isRegularFile(archive)) {
      throw new AssertionError(archive + " does not exist; build ama-cli's package phase first (mvn -B verify)");
    }
    return archive;
  }

  /** Unpacks {@link #archive()} into {@code folder}, which then holds {@code ama-cli-<version>/}. */
  public static UnpackedDistribution unpack(Path folder) throws IOException, InterruptedException {
    Path archive = archive();
    Files.createDirectories(folder);
    Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", folder.toString())
        .redirectErrorStream(true)
        .start();
    String output = new String(tar.getInputStream().readAllBytes());
    if (tar.waitFor() != 0) {
      throw new AssertionError("tar could not unpack " + archive + ": " + output);
    }
    String base = archive.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
    Path scratch = Files.createDirectories(folder.resolve(".runs"));
    return new UnpackedDistribution(folder.resolve(base), scratch);
  }

  /** The unpacked {@code ama-cli-<version>/} folder. */
  public Path root() {
    return root;
  }

  /** The launcher, {@code bin/ama}. */
  public Path launcher() {
    return root.resolve("bin/ama");
  }

  /**
   * Runs {@code launcher} (this distribution's {@code bin/ama} or a link to it) in {@code dir}.
   *
   * @param env added to the clean environment; a {@code null} value removes a variable, such as
   *     {@code PATH}
   */
  public Result run(Path launcher, Path dir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> childEnv = pb.environment();
    childEnv.clear();
    childEnv.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
    env.forEach((key, value) -> {
      if (value == null) {
        childEnv.remove(key);
      } else {
        childEnv.put(key, value);
      }
    });
    Path out = Files.createTempFile(scratch, "out", ".txt");
    Path err = Files.createTempFile(scratch, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        throw new AssertionError("ama " + String.join(" ", args) + " did not finish in 120 s");
      }
    } finally {
      p.destroyForcibly();
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Runs {@link #launcher()} and insists on exit code 0, showing the output otherwise. */
  public Result ok(Path dir, Map<String, String> env, String... args) throws IOException, InterruptedException {
    Result r = run(launcher(), dir, env, args);
    if (r.code() != 0) {
      throw new AssertionError("ama " + String.join(" ", args) + " failed: " + r);
    }
    return r;
  }
}
