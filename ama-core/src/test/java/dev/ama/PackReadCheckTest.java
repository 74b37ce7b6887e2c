package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check a pack makes of each file it reads again after the upload hashed it: the bytes must
 * be those the digest was computed from, compared by the CRC32C taken while hashing, or by
 * SHA-256 when the digest came from the hash cache.
 */
class PackReadCheckTest {
  @TempDir Path tmp;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void hashingAFileTakesTheCrcOfTheSameBytes() throws IOException {
    Path file = Files.writeString(tmp.resolve("model.yml"), "layers: 4\n");
    Transfers.Source s = hashed(file);

    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(Files.readAllBytes(file));
    assertEquals(crc.getValue(), s.crc32c());
    assertEquals(Digest.sha256(Files.readAllBytes(file)), s.asset().digest());
  }

  @Test
  void bytesChangedWithinTheSameSizeAreCaughtByTheCrcAndByTheDigest() throws IOException {
    Path file = Files.writeString(tmp.resolve("model.yml"), "layers: 4\n");
    Transfers.Source withCrc = hashed(file);
    Transfers.Source fromHashCache = new Transfers.Source(file, withCrc.asset(), withCrc.stamp());
    assertNotEquals(Transfers.Source.NO_CRC, withCrc.crc32c());
    assertEquals(Transfers.Source.NO_CRC, fromHashCache.crc32c());

    byte[] pack = new byte[64];
    byte[] same = bytes("layers: 4\n");
    byte[] changed = bytes("layers: 5\n");
    System.arraycopy(same, 0, pack, 7, same.length);
    assertTrue(Packs.sameBytes(withCrc, pack, 7, same.length));
    assertTrue(Packs.sameBytes(fromHashCache, pack, 7, same.length));

    System.arraycopy(changed, 0, pack, 7, changed.length);
    assertFalse(Packs.sameBytes(withCrc, pack, 7, changed.length));
    assertFalse(Packs.sameBytes(fromHashCache, pack, 7, changed.length));
  }

  @Test
  void aStreamedBlobIsCheckedByTheCrcBeforeTheBackendReadsItsLastByte() throws IOException {
    Path file = Files.writeString(tmp.resolve("weights.bin"), "0123456789abcdef");
    Transfers.Source s = hashed(file);
    Transfers.VerifyingContent content =
        new Transfers.VerifyingContent(file, s.asset(), s.crc32c(), TransferListener.NONE);
    // As the AWS SDK reads: exactly the declared length, never asking for the end.
    try (var in = content.openStream()) {
      assertEquals("0123456789abcdef", new String(in.readNBytes(16), StandardCharsets.UTF_8));
    }

    // The same size, other bytes: what an edit within one clock tick leaves behind.
    Files.writeString(file, "0123456789abcdeX");
    try (var in = content.openStream()) {
      IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> in.readNBytes(16));
      assertTrue(e.getMessage().contains("changed while it was being uploaded"), e.getMessage());
    }
    Transfers.VerifyingContent fromHashCache =
        new Transfers.VerifyingContent(file, s.asset(), Transfers.Source.NO_CRC, TransferListener.NONE);
    try (var in = fromHashCache.openStream()) {
      IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, in::readAllBytes);
      assertTrue(e.getMessage().contains("changed while it was being uploaded"), e.getMessage());
    }
  }

  private Transfers.Source hashed(Path file) {
    Store store = new Store(new dev.ama.storage.InMemoryStorage());
    // Hashing reads a local file only: no locator of stored blobs is asked.
    Transfers transfers = new Transfers(store, new LocalCache(tmp.resolve("cache")), new HashCache(tmp.resolve("cache")),
        TransferSettings.DEFAULTS, TransferListener.NONE, Runnable::run, Clock.systemUTC(), null);
    return transfers.hash("model.yml", file, Transfers.stamp(file));
  }
}
