package dev.ama.storage.tck;

import dev.ama.spi.StorageCapability;
import dev.ama.spi.Storages;
import dev.ama.storage.FileSystemStorage;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on {@link FileSystemStorage} in a real temporary directory, opened as a plain path:
 * only a real disk shows that hard links, fsync and atomic renames behave.
 */
class FileSystemStorageContractTest extends StorageContract {
  @TempDir Path tmp;

  @Override
  protected StorageFixture createFixture(String testId) throws Exception {
    Path root = tmp.resolve(testId);
    return StorageFixture.builder(Storages.open(root.toString()))
        .expectType(FileSystemStorage.class)
        .expectLocationPrefix(root.toUri().toString())
        .capabilities(StorageCapability.WRITE, StorageCapability.LIST)
        .build();
  }
}
