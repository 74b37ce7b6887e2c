package dev.ama.examples.cloud;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The seed workflow through {@code ama} on an {@code s3://} store served by S3Proxy over HTTP. */
@ExtendWith(S3ProxyExtension.class)
class SeedWorkflowOnS3IT {
  @TempDir Path tmp;

  @Test
  void seedCommandsRoundTripThroughAnS3Bucket(S3ProxyServer s3) throws Exception {
    String bucket = s3.createBucket();
    Map<String, String> env = new HashMap<>(s3.environment());
    env.put("AMA_STORE", "s3://" + bucket + "/team/models");

    new SeedWorkflow(tmp, env).runAndCheck();

    var listed = s3.admin().listObjectsV2(r -> r.bucket(bucket).prefix("team/models/aliases/sequence_models/my_model/"));
    assertTrue(listed.contents().stream().anyMatch(o -> o.key().endsWith("/0000000001.json")), listed.toString());
  }
}
