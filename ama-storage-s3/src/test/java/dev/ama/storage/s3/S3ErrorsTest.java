package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What a user sees when the bucket, the credentials or the endpoint are wrong: an IOException
 * naming the bucket and key, the cause and the fix, never a bare SDK exception.
 */
@ExtendWith(S3ProxyExtension.class)
class S3ErrorsTest {
  private static S3ProxyServer server;
  private static String bucket;

  @BeforeAll
  static void createBucket(S3ProxyServer s3) throws IOException {
    server = s3;
    bucket = s3.createBucket();
    try (Storage storage = Storages.open(s3.storeUri(bucket, "errors"), s3.credentials())) {
      storage.putIfAbsent("present", Content.ofBytes("here".getBytes(StandardCharsets.UTF_8)));
    }
  }

  private static IOException failure(Executable call) {
    IOException e = assertThrows(IOException.class, call);
    assertFalse(e instanceof ObjectNotFoundException, "a configuration error is not a missing key: " + e);
    return e;
  }

  private static void assertMentions(IOException e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "message lacks '" + part + "': " + e.getMessage());
    }
  }

  @Test
  void missingBucketIsNamedWithTheFixForEveryOperation() throws IOException {
    try (Storage storage = Storages.open(server.storeUri("ama-no-such-bucket", "store"), server.credentials())) {
      List<Executable> calls = List.of(
          () -> storage.stat("blobs/x"),
          () -> storage.open("blobs/x").close(),
          () -> storage.open("blobs/x", 1, 2).close(),
          () -> storage.list("blobs/").close(),
          () -> storage.putIfAbsent("blobs/x", Content.ofBytes(new byte[1])),
          () -> storage.delete("blobs/x"));
      for (Executable call : calls) {
        IOException e = failure(call);
        assertMentions(e, "S3 bucket 'ama-no-such-bucket' does not exist", server.endpoint().toString(),
            "s3://ama-no-such-bucket/store/blobs/", "Create the bucket");
      }
    }
  }

  @Test
  void wrongSecretKeyIsReportedAsSuch() throws IOException {
    Map<String, String> wrong = Map.of(
        "accessKeyId", S3ProxyServer.ACCESS_KEY_ID, "secretAccessKey", "not-the-secret");
    try (Storage storage = Storages.open(server.storeUri(bucket, "errors"), wrong)) {
      for (Executable call : List.<Executable>of(
          () -> storage.open("present").close(), () -> storage.stat("present"), () -> storage.list("").close())) {
        assertMentions(failure(call), "SignatureDoesNotMatch", "s3://" + bucket + "/errors/",
            "secret access key does not match", "'secretAccessKey' option");
      }
    }
  }

  @Test
  void unknownAccessKeyIsReportedAsSuch() throws IOException {
    Map<String, String> unknown = Map.of("accessKeyId", "nobody", "secretAccessKey", "whatever");
    try (Storage storage = Storages.open(server.storeUri(bucket, "errors"), unknown)) {
      IOException e = failure(() -> storage.putIfAbsent("new", Content.ofBytes(new byte[1])));
      assertMentions(e, "does not know the access key id", "s3://" + bucket + "/errors/new",
          "'accessKeyId'", "InvalidAccessKeyId");
      assertMentions(failure(() -> storage.stat("present")), "InvalidAccessKeyId", "s3://" + bucket + "/errors/present");
    }
  }

  @Test
  void unreachableEndpointNamesTheEndpointAndTheSettingsToCheck() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String location = "s3://" + bucket + "/errors?endpoint=http://127.0.0.1:" + closedPort
        + "&region=us-east-1&maxAttempts=2&connectTimeout=2s";
    try (Storage storage = Storages.open(location, server.credentials())) {
      IOException e = failure(() -> storage.open("present").close());
      assertMentions(e, "cannot reach S3 at http://127.0.0.1:" + closedPort, "s3://" + bucket + "/errors/present",
          "AWS_ENDPOINT_URL_S3", "retried 1 time(s)");
    }
  }

  @Test
  void accessDeniedNamesTheMissingPermissionAndPrefix() {
    S3Errors errors = new S3Errors(S3StorageProperties.of(URI.create("s3://models/prod"), Map.of(), Map.of()));
    S3Exception denied = (S3Exception) S3Exception.builder().statusCode(403)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").errorMessage("Access Denied").build())
        .build();
    IOException e = errors.translate("put", "prod/aliases/t/a/0000000002.json", denied);
    assertMentions(e, "S3 denied permission to put s3://models/prod/aliases/t/a/0000000002.json", "AccessDenied",
        "s3:PutObject", "arn:aws:s3:::models/prod/*", "docs/s3.md");
    assertTrue(e.getCause() == denied);
  }
}
