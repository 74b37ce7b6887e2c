package dev.ama.storage.s3;

import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import dev.ama.storage.tck.AliasUpdateContract;
import dev.ama.storage.tck.StorageFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Alias promotion, rollback and removal on an {@code s3://} store served by S3Proxy, racing
 * promoters included: the alias log's compare-and-swap is a create-only put, which S3Proxy does
 * atomically (unlike its emulated {@code If-Match} overwrite).
 */
@ExtendWith(S3ProxyExtension.class)
class S3AliasUpdateContractTest extends AliasUpdateContract {
  private static S3ProxyServer server;
  private static String bucket;

  @BeforeAll
  static void createBucket(S3ProxyServer s3) {
    server = s3;
    bucket = s3.createBucket();
  }

  @Override
  protected StorageFixture createFixture(String testId) throws Exception {
    return S3StorageContractTest.fixture(server, bucket, "aliases/" + testId);
  }
}
