package dev.ama.storage.gcs;

import dev.ama.spi.StorageCapability;
import dev.ama.spi.Storages;
import dev.ama.storage.gcs.testing.GcsTestServer;
import dev.ama.storage.tck.StorageContract;
import dev.ama.storage.tck.StorageFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The storage contract on {@link GcsStorage}, opened from a {@code gs://} URI the way users do,
 * against {@link GcsTestServer} through the real client over HTTP. Upload and read settings are
 * the defaults, so what passes here is what users get.
 */
class GcsStorageContractTest extends StorageContract {
  private static final String BUCKET = "ama-tck";
  private static GcsTestServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = GcsTestServer.start().createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected StorageFixture createFixture(String testId) throws Exception {
    String location = server.storeUri(BUCKET, testId);
    return StorageFixture.builder(Storages.open(location))
        .expectType(GcsStorage.class)
        .expectLocationPrefix("gs://" + BUCKET + "/" + testId)
        .capabilities(StorageCapability.WRITE, StorageCapability.LIST, StorageCapability.MODIFICATION_TIMES)
        .openedAs(location, Map.of())
        .build();
  }
}
