package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.ama.storage.InMemoryStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hash cache never hands out the digest of bytes a file no longer holds. */
class HashCacheStampTest {
  @TempDir Path tmp;

  private AssetClient client(InMemoryStorage storage) {
    return AssetClient.builder().storage(storage).user("t").cache(tmp.resolve("cache")).build();
  }

  /** Overwrites one byte in place and sets the modification time back, as {@code touch -d} does. */
  private static void editInPlaceKeepingTheModificationTime(Path file) throws IOException {
    FileTime before = Files.getLastModifiedTime(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {'X'}), 10);
    }
    Files.setLastModifiedTime(file, before);
    assertEquals(before, Files.getLastModifiedTime(file), "the edit is invisible to the modification time");
  }

  private static Path agedFile(Path dir) throws IOException {
    Path f = Files.write(dir.resolve("model.bin"), new byte[4096]);
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(60)));
    return f;
  }

  @Test
  void aByteChangedInPlaceWithTheModificationTimeSetBackIsHashedAgain() throws Exception {
    assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("unix"), "needs a change time");
    InMemoryStorage storage = new InMemoryStorage();
    Path f = agedFile(tmp);
    AssetVersion one;
    try (AssetClient c = client(storage)) {
      one = c.newAsset("models").add(f).alias("m").upload();
    }
    Object ctime = Files.getAttribute(f, "unix:ctime");
    // The kernel's change time ticks coarsely (a few ms): let it move on before the edit.
    Thread.sleep(20);
    editInPlaceKeepingTheModificationTime(f);
    assertNotEquals(ctime, Files.getAttribute(f, "unix:ctime"), "the edit moved the change time");

    try (AssetClient c = client(storage)) {
      AssetVersion two = c.newAsset("models").add(f).alias("m").upload();
      assertNotEquals(one.version(), two.version(), "the upload must not report the previous version");
      assertEquals(Digest.sha256(Files.readAllBytes(f)), two.files().get(0).digest());
      assertEquals(Digest.sha256(Files.readAllBytes(f)),
          Digest.sha256(Files.readAllBytes(c.load("models", "m").file("model.bin"))), "the store has the new bytes");
    }
  }

  @Test
  void withoutAChangeTimeOnlyRehashSeesAnEditWithTheModificationTimeSetBack() throws Exception {
    // Jimfs with only the basic view: a file system that offers no change time, as on Windows.
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setAttributeViews("basic").build())) {
      Path dir = Files.createDirectories(fs.getPath("/work"));
      InMemoryStorage storage = new InMemoryStorage();
      Path f = agedFile(dir);
      AssetVersion one;
      try (AssetClient c = client(storage)) {
        one = c.newAsset("models").add(f).alias("m").upload();
      }
      editInPlaceKeepingTheModificationTime(f);
      try (AssetClient c = client(storage)) {
        // The documented limit of the stamp there: size, modification time and file key agree.
        assertEquals(one.version(), c.newAsset("models").add(f).alias("m").upload().version());
        AssetVersion rehashed = c.newAsset("models").add(f).alias("m").rehash().upload();
        assertNotEquals(one.version(), rehashed.version());
        assertEquals(Digest.sha256(Files.readAllBytes(f)), rehashed.files().get(0).digest());
      }
      try (AssetClient c = client(storage)) {
        assertEquals(Digest.sha256(Files.readAllBytes(f)),
            c.newAsset("models").add(f).alias("m").upload().files().get(0).digest(), "the rehashed digest is remembered");
      }
    }
  }
}
