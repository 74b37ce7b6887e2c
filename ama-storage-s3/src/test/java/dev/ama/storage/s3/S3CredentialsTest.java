package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import dev.ama.storage.s3.testing.StorageProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a fresh process finds its credentials, region and endpoint: the SDK's default chains,
 * fed only by the environment, as for the {@code ama} CLI. Each test starts a child JVM.
 */
@ExtendWith(S3ProxyExtension.class)
class S3CredentialsTest {
  private static S3ProxyServer server;
  private static String bucket;

  @BeforeAll
  static void createBucket(S3ProxyServer s3) {
    server = s3;
    bucket = s3.createBucket();
  }

  @Test
  void harnessEnvironmentLetsAChildProcessUseAPlainS3Uri() throws Exception {
    StorageProbe.Result result = StorageProbe.run(server.environment(), "s3://" + bucket + "/child", "probe", "hello");
    assertEquals(new StorageProbe.Result(0, "OK hello"), result);
    try (Storage storage = Storages.open(server.storeUri(bucket, "child"), server.credentials())) {
      assertTrue(storage.stat("probe").isPresent(), "the child wrote into the bucket under the prefix");
    }
  }

  @Test
  void profileOptionReadsTheSharedCredentialsFile(@TempDir Path tmp) throws Exception {
    Path credentials = Files.writeString(tmp.resolve("credentials"), "[ama-test]\n"
        + "aws_access_key_id = " + S3ProxyServer.ACCESS_KEY_ID + "\n"
        + "aws_secret_access_key = " + S3ProxyServer.SECRET_ACCESS_KEY + "\n");
    Map<String, String> env = new HashMap<>(server.environment());
    env.remove("AWS_ACCESS_KEY_ID");
    env.remove("AWS_SECRET_ACCESS_KEY");
    env.put("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
    StorageProbe.Result result = StorageProbe.run(env, "s3://" + bucket + "/profile?profile=ama-test", "p", "from a profile");
    assertEquals(new StorageProbe.Result(0, "OK from a profile"), result);
  }

  @Test
  void missingCredentialsAreReportedWithTheFix() throws Exception {
    Map<String, String> env = new HashMap<>(server.environment());
    env.remove("AWS_ACCESS_KEY_ID");
    env.remove("AWS_SECRET_ACCESS_KEY");
    StorageProbe.Result result = StorageProbe.run(env, "s3://" + bucket + "/errors", "probe", "x");
    assertEquals(1, result.exit(), result.output());
    assertTrue(result.output().startsWith("ERROR no AWS credentials found to put s3://" + bucket + "/errors/probe"),
        result.output());
    assertTrue(result.output().contains("Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), result.output());
    assertTrue(!result.output().contains("SystemPropertyCredentialsProvider"), "the providers tried stay in the cause: "
        + result.output());
  }
}
