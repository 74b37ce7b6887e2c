package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.storage.InMemoryStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code load()} serves from the local cache is what the store holds. */
class CacheServingTest {
  @TempDir Path tmp;
  private final InMemoryStorage storage = new InMemoryStorage();

  private AssetClient client(boolean verifyLoads) {
    AssetClient.Builder b = AssetClient.builder().storage(storage).user("t").cache(tmp.resolve("cache"));
    return (verifyLoads ? b.verifyLoads() : b).build();
  }

  /** Uploads a file, loads it into the cache, and returns the served path. */
  private Path uploadedAndServed(String content) throws IOException {
    upload(content);
    try (AssetClient c = client(false)) {
      return c.load("models", "m").file("model.bin");
    }
  }

  private AssetVersion upload(String content) throws IOException {
    Path f = Files.writeString(tmp.resolve("model.bin"), content);
    try (AssetClient c = client(false)) {
      return c.newAsset("models").add(f).alias("m").upload();
    }
  }

  /** Edits a served file in place, same size, as a careless serving process might. */
  private static void editInPlace(Path served, boolean keepModificationTime) throws IOException {
    FileTime before = Files.getLastModifiedTime(served);
    Files.setPosixFilePermissions(served, PosixFilePermissions.fromString("rw-r--r--"));
    try (FileChannel ch = FileChannel.open(served, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {'X'}), 0);
    }
    if (keepModificationTime) {
      Files.setLastModifiedTime(served, before);
    }
  }

  @Test
  void aServedFileEditedInPlaceIsFetchedAgainByTheNextLoad() throws Exception {
    Path served = uploadedAndServed("the weights");
    Thread.sleep(20);
    editInPlace(served, true);
    try (AssetClient c = client(false)) {
      LoadedAsset again = c.load("models", "m");
      assertEquals("the weights", Files.readString(again.file("model.bin")));
      assertEquals("the weights", Files.readString(c.load("models", "m").file("model.bin")), "and stays right");
    }
  }

  @Test
  void aServedFileReplacedByAnotherOfTheSameSizeIsFetchedAgain() throws Exception {
    Path served = uploadedAndServed("the weights");
    Files.delete(served);
    Files.writeString(served, "THE WEIGHTS");
    try (AssetClient c = client(false)) {
      assertEquals("the weights", Files.readString(c.load("models", "m").file("model.bin")));
    }
  }

  @Test
  void verifyLoadsHashesEvenWhatNoStampShows() throws Exception {
    Path served = uploadedAndServed("the weights");
    Thread.sleep(20);
    editInPlace(served, true);
    // Record the damaged file's stamp as verified, as a file system without change times would
    // leave no trace of the edit: only hashing can see it then.
    Path stamps = tmp.resolve("cache/versions").resolve(versionHex() + ".stamps");
    String line = HashCache.Stamp.of(served).line() + "\tmodel.bin\n";
    Files.writeString(stamps, line);
    try (AssetClient c = client(false)) {
      assertEquals("Xhe weights", Files.readString(c.load("models", "m").file("model.bin")),
          "the stamp check alone trusts a stamp it recorded");
    }
    try (AssetClient c = client(true)) {
      assertEquals("the weights", Files.readString(c.load("models", "m").file("model.bin")));
    }
  }

  private String versionHex() throws IOException {
    try (var s = Files.list(tmp.resolve("cache/versions"))) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).findFirst().orElseThrow();
    }
  }

  @Test
  void anUnchangedServedFolderIsServedWithoutRehashing() throws Exception {
    upload("the weights");
    try (AssetClient c = client(false)) {
      Path first = c.load("models", "m").file("model.bin");
      Object key = Files.readAttributes(first, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
      Path second = c.load("models", "m").file("model.bin");
      assertEquals(first, second);
      assertEquals(key, Files.readAttributes(second, java.nio.file.attribute.BasicFileAttributes.class).fileKey(),
          "the same file is served, not assembled again");
    }
  }

  @Test
  void aCorruptManifestInTheLocalCacheIsEvictedAndReadFromTheStore() throws Exception {
    AssetVersion v = upload("the weights");
    Path cached = tmp.resolve("cache/manifests").resolve(v.version().hex() + ".json");
    assertTrue(Files.exists(cached), "the upload cached its manifest");
    byte[] bytes = Files.readAllBytes(cached);
    bytes[bytes.length / 2] ^= 1;
    Files.write(cached, bytes);
    try (AssetClient c = client(false)) {
      assertEquals(v, c.version(v.version()));
      Path out = c.download("models", "m").to(tmp.resolve("out"));
      assertEquals("the weights", Files.readString(out.resolve("model.bin")));
      assertEquals("the weights", Files.readString(c.load("models", "m").file("model.bin")));
    }
    assertNotEquals(Digest.sha256(bytes), Digest.sha256(Files.readAllBytes(cached)), "the cache holds the store's copy again");
    assertEquals(v.version(), Digest.sha256(Files.readAllBytes(cached)));
    assertFalse(Files.readString(cached).isEmpty());
  }
}
