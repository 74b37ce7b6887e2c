package dev.ama.cli;

import java.io.IOException;
import java.nio.file.Files;

/**
 * {@code ama gc} on a store in format 2, created by writing its format marker before the first
 * upload (the command line creates format 1 stores unless told otherwise).
 */
class PackedGcCommandTest extends GcCommandTest {
  @Override
  Ama ama() throws IOException {
    Ama ama = new Ama(tmp);
    Files.createDirectories(ama.store);
    Files.writeString(ama.store.resolve("ama-store.json"), "{\"format\":\"ama-store\",\"version\":2}");
    return ama;
  }

  /** Its manifest, upload record, pack (its only blob) and its version, content and alias-target markers. */
  @Override
  int objectsOfACollectedVersion() {
    return 6;
  }
}
