package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.storage.InMemoryStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The size cap, least-recently-used eviction, pins and holds of the local cache, in one process. */
class CacheEvictionTest {
  private static final int MB = 1 << 20;

  @TempDir Path tmp;
  private final InMemoryStorage storage = new InMemoryStorage();
  private final Map<String, AssetVersion> versions = new HashMap<>();

  private AssetClient client(long cap) {
    AssetClient.Builder b = AssetClient.builder().storage(storage).user("t").cache(tmp.resolve("cache"));
    return cap < 0 ? b.build() : b.cacheMax(cap).build();
  }

  /** Uploads versions m0..m{n-1}, one alias each, each of one file of {@code bytes} random bytes. */
  private void upload(int n, int bytes) throws IOException {
    Random r = new Random(n);
    try (AssetClient c = client(-1)) {
      for (int i = 0; i < n; i++) {
        byte[] b = new byte[bytes];
        r.nextBytes(b);
        Path f = Files.write(Files.createDirectories(tmp.resolve("src" + i)).resolve("model.bin"), b);
        versions.put("m" + i, c.newAsset("models").add(f).alias("m" + i).upload());
      }
    }
  }

  private static List<Digest> cached(AssetClient c) {
    return c.cache().entries().stream().map(CacheAdmin.Entry::version).toList();
  }

  /** Puts a version's blob in the cache as a fetch does, without assembling a folder. */
  private Path putBlob(AssetClient c, String alias) throws IOException {
    AssetFile f = versions.get(alias).files().get(0);
    try (var in = Files.newInputStream(tmp.resolve("src" + alias.substring(1)).resolve("model.bin"))) {
      return new LocalCache(c.cacheDir()).putBlob(f, in, "the test", "");
    }
  }

  private Digest v(String alias) {
    return versions.get(alias).version();
  }

  @Test
  void aHardLinkedVersionFolderCountsOnceBesideItsBlob() throws Exception {
    upload(1, MB);
    try (AssetClient c = client(-1)) {
      c.load("models", "m0").close();
      CacheAdmin.Usage u = c.cache().usage();
      assertTrue(u.bytes() >= MB && u.bytes() < MB + 64 * 1024, "one copy of the bytes plus small files: " + u);
      assertEquals(1, u.versions());
      assertEquals(0, u.looseBytes(), "the blob is the folder's");
      assertTrue(u.maxBytes().isEmpty(), "no cap unless one is set");
    }
  }

  @Test
  void theLeastRecentlyUsedVersionGoesFirst() throws Exception {
    upload(4, MB);
    try (AssetClient c = client((long) (3.5 * MB))) {
      c.load("models", "m0").close();
      c.load("models", "m1").close();
      c.load("models", "m2").close();
      Thread.sleep(20);
      c.load("models", "m0").close(); // m1 is now the least recently used
      c.load("models", "m3").close();
      List<Digest> left = cached(c);
      assertFalse(left.contains(v("m1")), "m1 was used least recently: " + left);
      assertTrue(left.containsAll(List.of(v("m0"), v("m2"), v("m3"))), left.toString());
      assertTrue(c.cache().usage().bytes() <= 3.5 * MB, c.cache().usage().toString());
    }
  }

  @Test
  void aVersionEvictedAndLoadedAgainIsFetchedAgainIntact() throws Exception {
    upload(2, MB);
    try (AssetClient c = client(MB + MB / 2)) {
      Path first = released(c.load("models", "m0")).file("model.bin");
      byte[] expected = Files.readAllBytes(first);
      c.load("models", "m1").close();
      assertFalse(Files.exists(first), "m0 was evicted to make room for m1");
      Path again = released(c.load("models", "m0")).file("model.bin");
      assertEquals(ByteBuffer.wrap(expected), ByteBuffer.wrap(Files.readAllBytes(again)));
    }
  }

  @Test
  void blobsNoCachedVersionUsesGoBeforeAnyVersion() throws Exception {
    upload(2, MB);
    try (AssetClient c = client(-1)) {
      c.load("models", "m0").close();
      // A diff or a download left a blob in the cache that no version folder uses, a while ago.
      Files.setLastModifiedTime(putBlob(c, "m1"), java.nio.file.attribute.FileTime.from(
          java.time.Instant.now().minus(CacheEviction.RECENT).minusSeconds(1)));
    }
    try (AssetClient c = client(-1)) {
      CacheAdmin.Usage before = c.cache().usage();
      CacheAdmin.PruneReport r = c.cache().prune(before.bytes() - 1);
      assertEquals(List.of(), r.evicted(), "the loose blob was enough: " + r);
      assertTrue(r.looseBlobsRemoved() >= 1, r.toString());
      assertEquals(List.of(v("m0")), cached(c));
    }
  }

  @Test
  void aBlobJustFetchedGoesAfterTheVersionsAsALoadInProgressNeedsIt() throws Exception {
    upload(2, MB);
    try (AssetClient c = client(-1)) {
      c.load("models", "m0").close();
      putBlob(c, "m1");
      CacheAdmin.PruneReport r = c.cache().prune(c.cache().usage().bytes() - 1);
      assertEquals(List.of(v("m0")), r.evicted(), r.toString());
      assertEquals(0, r.looseBlobsRemoved());
    }
  }

  @Test
  void aPinnedVersionSurvivesAnyPruneAndRestarts() throws Exception {
    upload(3, MB);
    try (AssetClient c = client(-1)) {
      AssetVersion pinned = c.cache().pin("models", "m1");
      assertEquals(v("m1"), pinned.version());
      assertTrue(Files.exists(c.cacheDir().resolve("versions").resolve(v("m1").hex()).resolve("model.bin")),
          "pinning fetched it");
      c.load("models", "m0").close();
      c.load("models", "m2").close();
    }
    try (AssetClient c = client(-1)) {
      CacheAdmin.PruneReport r = c.cache().prune(0);
      assertEquals(List.of(v("m1")), cached(c), "only the pinned version is left: " + r);
      assertEquals(List.of(new CacheAdmin.Kept(v("m1"), CacheAdmin.Kept.Reason.PINNED, MB)), r.kept());
      assertTrue(r.bytesAfter() <= MB + 64 * 1024, "nothing but the pinned version and small files: " + r);
      assertTrue(c.cache().entries().get(0).pinned());
      assertEquals(java.util.Optional.of(v("m1")), c.cache().unpin("models", v("m1").hex().substring(0, 10)));
      c.cache().prune(0);
      assertEquals(List.of(), cached(c), "unpinned, it goes");
    }
  }

  @Test
  void pinningAnUnknownVersionIsRefusedAndPinsNothing() throws Exception {
    upload(1, 1000);
    try (AssetClient c = client(-1)) {
      NotFoundException e = assertThrows(NotFoundException.class, () -> c.cache().pin("models", "m9"));
      assertTrue(e.getMessage().contains("m9"), e.getMessage());
      assertEquals(java.util.Set.of(), c.cache().pinned());
    }
  }

  @Test
  void aHeldVersionAndItsBlobsStayUntilTheHoldIsClosed() throws Exception {
    upload(2, MB);
    try (AssetClient c = client(-1)) {
      LoadedAsset a = c.load("models", "m0");
      c.load("models", "m1").close();
      CacheAdmin.PruneReport r;
      // Two holds on m0: the load's own, and one taken directly, as another part of a server would.
      try (CachePins.Hold h = CachePins.hold(c.cacheDir(), a.version())) {
        a.close();
        r = c.cache().prune(0);
        assertEquals(List.of(v("m1")), r.evicted());
        assertEquals(CacheAdmin.Kept.Reason.HELD, r.kept().get(0).reason());
        assertTrue(Files.exists(a.file("model.bin")));
        assertTrue(c.cache().entries().get(0).held());
      }
      c.cache().prune(0);
      assertFalse(Files.exists(a.file("model.bin")), "released, it goes");
    }
  }

  @Test
  void theBlobsOfAVersionBeingLoadedAreKeptWhileItIsHeld() throws Exception {
    upload(2, MB);
    try (AssetClient c = client(-1)) {
      AssetVersion m0 = c.version("models", "m0"); // its manifest is cached, as a loader's is
      c.load("models", "m1").close();
      try (CachePins.Hold h = CachePins.hold(c.cacheDir(), m0.version())) {
        c.cache().prune(0);
        putBlob(c, "m0"); // m0's blob arrives, no folder yet
        c.cache().prune(0);
        assertTrue(Files.exists(c.cacheDir().resolve("blobs/sha256").resolve(m0.files().get(0).digest().hex()
            .substring(0, 2)).resolve(m0.files().get(0).digest().hex())), "a held version's blob is not loose");
      }
    }
  }

  @Test
  void afterAnyPruneTheCacheFitsItsCapPlusWhatIsHeldOrPinned() throws Exception {
    upload(8, MB / 2);
    long cap = 2 * MB;
    try (AssetClient c = client(cap)) {
      c.cache().pin("models", "m7");
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 7; i++) {
          c.load("models", "m" + i).close();
          CacheAdmin.Usage u = c.cache().usage();
          assertTrue(u.bytes() <= cap + u.keptBytes(), "after loading m" + i + ": " + u);
        }
      }
      assertTrue(cached(c).contains(v("m7")));
    }
  }

  @Test
  void verifyRemovesADamagedFileAndTheNextLoadRestoresIt() throws Exception {
    upload(1, 10_000);
    try (AssetClient c = client(-1)) {
      Path served = released(c.load("models", "m0")).file("model.bin");
      Files.setPosixFilePermissions(served, PosixFilePermissions.fromString("rw-r--r--"));
      try (FileChannel ch = FileChannel.open(served, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[] {'X'}), 0); // the folder file and its blob are one inode
      }
      CacheAdmin.CheckReport r = c.cache().verify();
      assertEquals(2, r.damaged().size(), "the blob and the folder file: " + r);
      assertEquals(1, r.blobs());
      CacheAdmin.CheckReport again = c.cache().verify();
      assertTrue(again.ok(), again.toString());
      Path restored = released(c.load("models", "m0")).file("model.bin");
      assertTrue(HashingInputStream.holds(restored, versions.get("m0").files().get(0)));
    }
  }

  @Test
  void pruneToTheConfiguredCapWithoutOneSaysHowToSetIt() {
    try (AssetClient c = client(-1)) {
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> c.cache().prune());
      assertTrue(e.getMessage().contains("AMA_CACHE_MAX") && e.getMessage().contains("--max"), e.getMessage());
    }
  }

  @Test
  void aNegativeCapIsRefused() {
    assertThrows(InvalidInputException.class, () -> AssetClient.builder().cacheMax(-1));
  }

  /** A load's hold released at once, as a caller that only wants the path does; eviction may then take it. */
  private static LoadedAsset released(LoadedAsset a) {
    a.close();
    return a;
  }
}
