package dev.ama.it.gcs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ama.AssetClient;
import dev.ama.it.Smoke;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.gcs.testing.GcsTestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gs:// store on the published GCS backend, trimmed class path and all, over the JSON API. */
class GcsStoreTest {

  @Test
  void aGsLocationOpensTheGcsBackend() throws Exception {
    try (GcsTestServer server = GcsTestServer.start().createBucket("models");
        Storage storage = Storages.open(server.storeUri("models", "ama"))) {
      assertEquals("dev.ama.storage.gcs.GcsStorage", storage.getClass().getName());
    }
  }

  @Test
  void aVersionUploadedToGcsLoadsByAlias(@TempDir Path tmp) throws Exception {
    try (GcsTestServer server = GcsTestServer.start().createBucket("models")) {
      String store = server.storeUri("models", "ama");
      try (AssetClient writer = AssetClient.builder().store(store).user("job").cache(tmp.resolve("job-cache")).build();
          AssetClient reader = AssetClient.builder().store(store).user("server").cache(tmp.resolve("server-cache")).build()) {
        Smoke.uploadThenLoadByAlias(writer, reader, tmp.resolve("work"));
      }
    }
  }
}
