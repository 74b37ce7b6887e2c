package dev.ama;

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
}
