package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cloud credential errors are at most three lines with the fix first; the SDK's account of what
 * it tried comes only with --verbose. The cloud SDKs read the real environment, not the one
 * {@link AmaCli#run} is given, so each case runs {@code ama} in a child JVM whose environment
 * holds no credentials and points HOME and the AWS config files at an empty folder.
 */
class CredentialErrorsTest {
  /** Three lines of a terminal 80 columns wide. */
  static final int MAX_CHARS = 3 * 80;

  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  @Test
  void missingAwsCredentialsAreOneShortLineThatSaysHowToSetThem() throws Exception {
    Run r = ama("--store", "s3://ama-test-no-credentials/models", "ls");
    assertOneShortLineExit7(r);
    assertTrue(r.err().startsWith("ama: no AWS credentials found to open s3://ama-test-no-credentials/models/"), r.err());
    int fix = r.err().indexOf("Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE");
    assertTrue(fix >= 0 && fix < 120, "the fix comes first: " + r.err());
  }

  @Test
  void verboseAddsTheCredentialProvidersTheSdkTried() throws Exception {
    Run r = ama("--verbose", "--store", "s3://ama-test-no-credentials/models", "ls");
    assertEquals(ExitCodes.STORE_UNREACHABLE, r.code(), r.toString());
    assertTrue(r.err().lines().findFirst().orElseThrow().length() <= MAX_CHARS, r.err());
    assertTrue(r.err().contains("EnvironmentVariableCredentialsProvider"), r.err());
  }

  @Test
  void missingGoogleCredentialsAreOneShortLineThatSaysHowToGetThem() throws Exception {
    // A host that is not loopback needs credentials as real GCS does; nothing is sent to it.
    Run r = ama("--store", "gs://ama-test-no-credentials/models?host=http://gcs.invalid:4443", "ls");
    assertOneShortLineExit7(r);
    assertTrue(r.err().startsWith("ama: no Google Cloud credentials for gs://ama-test-no-credentials/"),
        r.err());
    assertTrue(r.err().contains("gcloud auth application-default login"), r.err());
  }

  /** The store's error (exit 7) as one line that fits three lines of a terminal. */
  private static void assertOneShortLineExit7(Run r) {
    assertEquals(ExitCodes.STORE_UNREACHABLE, r.code(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().strip().length() <= MAX_CHARS, r.err().strip().length() + " characters: " + r.err());
  }

  /** Runs {@code ama} in a child JVM with an environment that holds no cloud credentials. */
  private Run ama(String... args) throws IOException, InterruptedException {
    Path home = Ama.mkdirs(tmp.resolve("home"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), AmaCli.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("GOOGLE_") || k.startsWith("CLOUDSDK_")
        || k.startsWith("AMA_") || k.equals("GCE_METADATA_HOST"));
    env.put("HOME", home.toString());
    env.put("AWS_CONFIG_FILE", home.resolve("no-aws-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("no-aws-credentials").toString());
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_EC2_METADATA_DISABLED", "true"); // no instance metadata lookups, which wait for a timeout
    env.put("GOOGLE_APPLICATION_CREDENTIALS", "");
    env.put("NO_GCE_CHECK", "true"); // google-auth: do not probe the metadata server
    env.put("CLOUDSDK_CONFIG", home.resolve("no-gcloud").toString());
    env.put("AMA_CACHE", tmp.resolve("cache").toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out, err);
  }
}
