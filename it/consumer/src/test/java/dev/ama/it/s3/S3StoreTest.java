package dev.ama.it.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ama.AssetClient;
import dev.ama.it.Smoke;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An s3:// store on the published S3 backend, against S3Proxy over HTTP. */
class S3StoreTest {
  private static S3ProxyServer s3;

  @BeforeAll
  static void startServer() throws Exception {
    s3 = S3ProxyServer.start();
  }

  @AfterAll
  static void stopServer() {
    s3.close();
  }

  @Test
  void anS3LocationOpensTheS3Backend() throws Exception {
    try (Storage storage = Storages.open(s3.storeUri(s3.createBucket(), "ama"), s3.credentials())) {
      assertEquals("dev.ama.storage.s3.S3Storage", storage.getClass().getName());
    }
  }

  @Test
  void aVersionUploadedToS3LoadsByAlias(@TempDir Path tmp) throws Exception {
    String location = s3.storeUri(s3.createBucket(), "ama");
    try (Storage writerStorage = Storages.open(location, s3.credentials());
        Storage readerStorage = Storages.open(location, s3.credentials());
        AssetClient writer = AssetClient.builder().storage(writerStorage).user("job").cache(tmp.resolve("job-cache")).build();
        AssetClient reader = AssetClient.builder().storage(readerStorage).user("server").cache(tmp.resolve("server-cache")).build()) {
      Smoke.uploadThenLoadByAlias(writer, reader, tmp.resolve("work"));
    }
  }
}
