package dev.ama.examples.http;

import dev.ama.spi.Storages;
import dev.ama.storage.FileSystemStorage;
import dev.ama.storage.tck.StorageContract;
import dev.ama.storage.tck.StorageFixture;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract suite on the HTTP mirror, opened through its provider like a user's {@code
 * https://} store: a folder served by {@link StaticFileServer}, seeded behind the mirror's back.
 */
class HttpMirrorStorageContractTest extends StorageContract {
  @TempDir Path tmp;

  @Override
  protected StorageFixture createFixture(String testId) throws Exception {
    Path folder = tmp.resolve(testId);
    FileSystemStorage behind = new FileSystemStorage(folder);
    StaticFileServer server = StaticFileServer.serve(folder);
    try {
      return StorageFixture.builder(Storages.open(server.uri().toString()))
          .expectType(HttpMirrorStorage.class)
          .expectLocationPrefix(server.uri().toString())
          .capabilities()
          .openedAs(server.uri().toString(), Map.of())
          .seeder(behind::put)
          .onClose(server::close)
          .build();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }
}
