package dev.ama.storage.tck;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.ama.spi.StorageCapability;
import dev.ama.storage.FileSystemStorage;
import java.nio.file.FileSystem;

/**
 * The contract on {@link FileSystemStorage} in a Windows-like Jimfs: backslash separators and
 * drive letters catch code that builds paths from strings.
 */
class JimfsWindowsStorageContractTest extends StorageContract {
  @Override
  protected StorageFixture createFixture(String testId) throws Exception {
    FileSystem fs = Jimfs.newFileSystem(testId, Configuration.windows());
    return StorageFixture.builder(new FileSystemStorage(fs.getPath("C:\\stores\\" + testId)))
        .expectType(FileSystemStorage.class)
        .expectLocationPrefix("jimfs://" + testId + "/C:/stores/" + testId)
        .capabilities(StorageCapability.WRITE, StorageCapability.LIST, StorageCapability.MODIFICATION_TIMES)
        .holdsObjectsInHeap()
        .inProcessOnly()
        .onClose(fs::close)
        .build();
  }
}
