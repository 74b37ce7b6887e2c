package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Storages;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageLocationTest {
  @TempDir Path tmp;

  @Test
  void aStoreLocationUnderARegularFileIsRefusedNamingTheFile() throws Exception {
    Path file = Files.writeString(tmp.resolve("notes.txt"), "x");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Storages.open(file.resolve("store").toString()));

    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("is a file"), e.getMessage());
  }

  @Test
  void anUnknownSchemeListsTheAvailableOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Storages.open("ftp://host/x"));
    assertTrue(e.getMessage().contains("'ftp:'") && e.getMessage().contains("file") && e.getMessage().contains("mem"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("(for the ama command: in the plugins/ folder of its installation,"
        + " in ~/.ama/plugins/ or on AMA_CLASSPATH)"),
        e.getMessage());
  }

  @Test
  void theClientBuilderReportsABadLocationAsInvalidInput() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> AssetClient.builder().store("mem:").build());
    assertTrue(e.getMessage().contains("mem:NAME"), e.getMessage());
  }

  /** A backend of the schemes it is made with, counting the stores it opens. */
  private static final class GivenProvider implements dev.ama.spi.StorageProvider {
    private final java.util.Set<String> schemes;
    int opened;

    GivenProvider(String... schemes) {
      this.schemes = java.util.Set.of(schemes);
    }

    @Override
    public java.util.Set<String> schemes() {
      return schemes;
    }

    @Override
    public dev.ama.spi.Storage open(java.net.URI uri, java.util.Map<String, String> options) {
      opened++;
      return new dev.ama.storage.InMemoryStorage();
    }
  }

  @Test
  void aProviderGivenToTheBuilderServesItsSchemeAndOthersStillReachTheClassPath() throws Exception {
    GivenProvider given = new GivenProvider("given");
    try (AssetClient c = AssetClient.builder().store("given://bucket/x").storageProvider(given).user("t")
        .cache(tmp.resolve("cache")).build()) {
      assertTrue(c.location().startsWith("mem:"), c.location());
    }
    assertEquals(1, given.opened, "the given provider opened the store");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Storages.open("ftp://host/x", java.util.Map.of(), java.util.List.of(given)));
    assertTrue(e.getMessage().contains("given"), e.getMessage());
    assertTrue(e.getMessage().contains(ProbeBrokenStorageProvider.RACY), "the class path was searched too: "
        + e.getMessage());
    assertEquals(1, given.opened, "a scheme it does not serve is not given to it");
  }

  @Test
  void aGivenProviderServesItsSchemeBeforeOneOnTheClassPath() throws Exception {
    GivenProvider given = new GivenProvider(ProbeBrokenStorageProvider.RACY);
    try (dev.ama.spi.Storage s = Storages.open(ProbeBrokenStorageProvider.RACY + ":" + tmp.resolve("s").toUri().getPath(),
        java.util.Map.of(), java.util.List.of(given))) {
      assertTrue(s instanceof dev.ama.storage.InMemoryStorage, "the given provider opened it, not the class path's");
    }
    assertEquals(1, given.opened);
  }
}
