package dev.ama.storage.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ama.spi.Content;
import dev.ama.spi.StorageCapability;
import dev.ama.spi.Storages;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on {@link FileSystemStorage} in a real temporary directory, opened as a plain path:
 * only a real disk shows that hard links, fsync and atomic renames behave.
 */
class FileSystemStorageContractTest extends StorageContract {
  @TempDir Path tmp;

  @Override
  protected StorageFixture createFixture(String testId) throws Exception {
    return fixture(tmp.resolve(testId));
  }

  /** A filesystem store in {@code root}, opened as a plain path, as users do. */
  static StorageFixture fixture(Path root) throws Exception {
    return StorageFixture.builder(Storages.open(root.toString()))
        .expectType(FileSystemStorage.class)
        .expectLocationPrefix(root.toUri().toString())
        .capabilities(StorageCapability.WRITE, StorageCapability.LIST, StorageCapability.MODIFICATION_TIMES)
        .openedAs(root.toString(), Map.of())
        .build();
  }

  /** Beyond the contract, which cannot see a backend's reserved files: no temporary file stays. */
  @Test
  void writesLeaveNoTemporaryFiles() throws IOException {
    GeneratedContent failing = GeneratedContent.of(1, 1 << 20).withHookAt(1000, () -> {
      throw new IOException("failing on purpose");
    });
    assertThrows(IOException.class, () -> storage().putIfAbsent("a/key", failing));
    assertThrows(IOException.class, () -> storage().put("a/key", failing));
    assertThrows(IOException.class,
        () -> storage().putIfAbsent("a/short", GeneratedContent.of(2, 1000).truncatedTo(10)));
    storage().putIfAbsent("a/key", Content.ofBytes(new byte[] {1}));
    storage().putIfAbsent("a/key", Content.ofBytes(new byte[] {2}));
    storage().put("a/key", Content.ofBytes(new byte[] {3}));
    Path tmpDir = ((FileSystemStorage) storage()).root().resolve(".ama-tmp");
    try (Stream<Path> left = Files.list(tmpDir)) {
      assertEquals(List.of(), left.collect(Collectors.toList()));
    }
  }
}
