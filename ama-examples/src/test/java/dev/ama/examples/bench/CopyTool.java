package dev.ama.examples.bench;

import dev.ama.storage.s3.testing.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A copy tool the transfer benchmark measures AMA against, run as a user runs it: a cold process
 * per call, configured only through its command line and environment (never the developer's own
 * configuration files), against the benchmark's S3Proxy, directly or through a {@link
 * LatencyProxy}.
 *
 * <p>Each tool copies a folder up ({@link #upload}), copies it back ({@link #download}) and brings
 * a copy up to date after a change ({@link #update}: {@code rclone copy} again, which skips files of
 * the same size and time, or {@code aws s3 sync}).
 */
final class CopyTool {
  /** The rclone remote's name, configured through {@code RCLONE_CONFIG_AMABENCH_*}. */
  static final String RCLONE_REMOTE = "amabench";

  private final String label;
  private final List<String> command;
  private final Kind kind;
  private final Path scratch;

  private enum Kind { RCLONE, AWS }

  private CopyTool(String label, List<String> command, Kind kind, Path scratch) {
    this.label = label;
    this.command = command;
    this.kind = kind;
    this.scratch = scratch;
  }

  /** {@code rclone copy} with default flags (4 transfers, 8 checkers). */
  static CopyTool rclone(Path scratch) {
    return new CopyTool("rclone copy", List.of("rclone"), Kind.RCLONE, scratch);
  }

  /** {@code rclone copy --transfers N}. */
  static CopyTool rclone(Path scratch, int transfers) {
    return new CopyTool("rclone copy --transfers " + transfers, List.of("rclone", "--transfers", "" + transfers),
        Kind.RCLONE, scratch);
  }

  /** {@code aws s3 cp --recursive} and {@code aws s3 sync}, default settings (10 concurrent requests). */
  static CopyTool awsCli(Path scratch, String executable) {
    return new CopyTool("aws s3 cp --recursive", List.of(executable), Kind.AWS, scratch);
  }

  /**
   * The aws command to run: {@code aws} on the PATH, else pyenv's shim in the home folder, where
   * {@code pip install awscli} under pyenv puts it; empty when neither answers {@code --version}.
   */
  static Optional<String> findAwsCli() {
    List<String> candidates = new ArrayList<>(List.of("aws"));
    String home = System.getProperty("user.home");
    if (home != null) {
      candidates.add(Path.of(home, ".pyenv", "shims", "aws").toString());
    }
    for (String c : candidates) {
      try {
        TransferBenchmark.run(List.of(c, "--version"), Map.of());
        return Optional.of(c);
      } catch (IOException e) {
        // Not this one.
      }
    }
    return Optional.empty();
  }

  /** What the report calls this tool. */
  String label() {
    return label;
  }

  /** The label of an {@link #update}. */
  String updateLabel() {
    return kind == Kind.AWS ? "aws s3 sync" : label + " (again, 1 changed)";
  }

  /** Copies {@code dir}'s files to {@code bucket/prefix/}. */
  Object upload(URI endpoint, Path dir, String bucket, String prefix) throws IOException {
    return kind == Kind.AWS
        ? aws(endpoint, "cp", "--recursive", dir.toString(), "s3://" + bucket + "/" + prefix + "/")
        : rclone(endpoint, "copy", dir.toString(), RCLONE_REMOTE + ":" + bucket + "/" + prefix);
  }

  /** Copies {@code bucket/prefix/} into the folder {@code dest}. */
  Object download(URI endpoint, String bucket, String prefix, Path dest) throws IOException {
    return kind == Kind.AWS
        ? aws(endpoint, "cp", "--recursive", "s3://" + bucket + "/" + prefix + "/", dest.toString())
        : rclone(endpoint, "copy", RCLONE_REMOTE + ":" + bucket + "/" + prefix, dest.toString());
  }

  /** Brings {@code bucket/prefix/} up to date with {@code dir}, sending only what changed. */
  Object update(URI endpoint, Path dir, String bucket, String prefix) throws IOException {
    return kind == Kind.AWS
        ? aws(endpoint, "sync", dir.toString(), "s3://" + bucket + "/" + prefix + "/")
        : upload(endpoint, dir, bucket, prefix);
  }

  private String rclone(URI endpoint, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(command);
    cmd.addAll(List.of(args));
    return TransferBenchmark.run(cmd, rcloneEnvironment(scratch, endpoint));
  }

  private String aws(URI endpoint, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(command);
    cmd.addAll(List.of("--endpoint-url", endpoint.toString(), "s3"));
    cmd.addAll(List.of(args));
    cmd.add("--only-show-errors");
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY_ID);
    env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_ACCESS_KEY);
    env.put("AWS_DEFAULT_REGION", S3ProxyServer.REGION);
    env.put("AWS_REGION", S3ProxyServer.REGION);
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_CONFIG_FILE", scratch.resolve("no-aws-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", scratch.resolve("no-aws-credentials").toString());
    // The checksum setting AMA's S3 backend and the SDK baselines use; recent botocore would
    // otherwise add a CRC to every request, which S3Proxy does not check anyway.
    env.put("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required");
    env.put("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
    env.put("AWS_ENDPOINT_URL", null);
    env.put("AWS_ENDPOINT_URL_S3", null);
    env.put("AWS_PROFILE", null);
    env.put("AWS_CA_BUNDLE", null);
    Files.createDirectories(scratch);
    return TransferBenchmark.run(cmd, env);
  }

  /**
   * The environment that configures rclone's remote {@value #RCLONE_REMOTE} for S3Proxy at {@code
   * endpoint}, with no configuration file.
   */
  static Map<String, String> rcloneEnvironment(Path scratch, URI endpoint) {
    String prefix = "RCLONE_CONFIG_" + RCLONE_REMOTE.toUpperCase(Locale.ROOT) + "_";
    Map<String, String> env = new LinkedHashMap<>();
    env.put("RCLONE_CONFIG", scratch.resolve("rclone-none.conf").toString());
    env.put(prefix + "TYPE", "s3");
    env.put(prefix + "PROVIDER", "Other");
    env.put(prefix + "ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY_ID);
    env.put(prefix + "SECRET_ACCESS_KEY", S3ProxyServer.SECRET_ACCESS_KEY);
    env.put(prefix + "ENDPOINT", endpoint.toString());
    env.put(prefix + "REGION", S3ProxyServer.REGION);
    env.put(prefix + "FORCE_PATH_STYLE", "true");
    // The endpoint is plain HTTP; rclone refuses to start with a CA bundle it cannot apply.
    env.put("AWS_CA_BUNDLE", null);
    return env;
  }
}
