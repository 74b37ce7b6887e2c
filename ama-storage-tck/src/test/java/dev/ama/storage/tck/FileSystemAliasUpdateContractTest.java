package dev.ama.storage.tck;

import dev.ama.spi.StorageCapability;
import dev.ama.spi.Storages;
import dev.ama.storage.FileSystemStorage;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Alias promotion, rollback and removal on a filesystem store in a real temporary directory. */
class FileSystemAliasUpdateContractTest extends AliasUpdateContract {
  @TempDir Path stores;

  @Override
  protected StorageFixture createFixture(String testId) throws Exception {
    Path root = stores.resolve(testId);
    return StorageFixture.builder(Storages.open(root.toString()))
        .expectType(FileSystemStorage.class)
        .expectLocationPrefix(root.toUri().toString())
        .capabilities(StorageCapability.WRITE, StorageCapability.LIST)
        .build();
  }
}
