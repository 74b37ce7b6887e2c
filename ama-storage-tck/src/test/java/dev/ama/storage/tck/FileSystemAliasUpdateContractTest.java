package dev.ama.storage.tck;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alias promotion, rollback and removal on a {@link dev.ama.storage.FileSystemStorage} store in a
 * real temporary directory.
 */
class FileSystemAliasUpdateContractTest extends AliasUpdateContract {
  @TempDir Path stores;

  @Override
  protected StorageFixture createFixture(String testId) throws Exception {
    return FileSystemStorageContractTest.fixture(stores.resolve(testId));
  }
}
