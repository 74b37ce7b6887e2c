package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import dev.ama.storage.InMemoryStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that someone else damaged or wrote into: special files and links at keys, objects far
 * too large, a corrupt manifest under an alias, a newer format, a vanished or foreign root. Each
 * must end in a clear error (or be stepped around), never a hang, an OutOfMemoryError or a write.
 */
@DisabledOnOs(OS.WINDOWS)
class HostileStoreTest {
  private static final String TYPE = "rnn_models";
  private static final Duration PROMPTLY = Duration.ofSeconds(10);

  @TempDir Path tmp;
  private int caches;

  private Path store() {
    return tmp.resolve("store");
  }

  private AssetClient client() {
    return client(new FileSystemStorage(store()));
  }

  /** A client with a cache of its own, so every read goes to the store. */
  private AssetClient client(Storage storage) {
    return AssetClient.builder().newStoreFormat(1).storage(storage).user("alice").cache(tmp.resolve("cache-" + caches++)).build();
  }

  private Path file(String name, String content) throws IOException {
    return Files.writeString(Files.createDirectories(tmp.resolve("files")).resolve(name), content);
  }

  private AssetVersion uploaded(String alias) throws IOException {
    try (AssetClient c = client()) {
      return c.newAsset(TYPE).add(file("model.h5", "weights")).add(file("model.yml", "lr: 1")).alias(alias).upload();
    }
  }

  private Path at(String key) {
    return store().resolve(key);
  }

  private static void replaceWithFifo(Path p) throws Exception {
    Files.delete(p);
    Process mkfifo = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    assertEquals(0, mkfifo.waitFor(), "mkfifo");
  }

  private static void replaceWithSparseFile(Path p, long size) throws IOException {
    Files.delete(p);
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(size);
    }
  }

  // ---- special files, links and sizes ----

  @Test
  void aFifoInPlaceOfABlobFailsTheDownloadAtOnceNamingTheKey() throws Exception {
    AssetVersion v = uploaded("m");
    String key = Store.blobKey(v.files().get(0).digest());
    replaceWithFifo(at(key));
    try (AssetClient c = client()) {
      IntegrityException e = assertTimeoutPreemptively(PROMPTLY,
          () -> assertThrows(IntegrityException.class, () -> c.download(TYPE, "m").to(tmp.resolve("out"))));
      assertTrue(e.getMessage().contains(key) && e.getMessage().contains("FIFO") && e.getMessage().contains("remove it"),
          e.getMessage());
    }
  }

  @Test
  void aFifoInPlaceOfAManifestFailsAtOnceNamingTheKey() throws Exception {
    AssetVersion v = uploaded("m");
    replaceWithFifo(at(Store.manifestKey(v.version())));
    try (AssetClient c = client()) {
      IntegrityException e = assertTimeoutPreemptively(PROMPTLY,
          () -> assertThrows(IntegrityException.class, () -> c.version(TYPE, "m")));
      assertTrue(e.getMessage().contains(Store.manifestKey(v.version())), e.getMessage());
    }
  }

  @Test
  void aManifestThatIsALinkToDevZeroIsRefusedNotFollowed() throws Exception {
    AssetVersion v = uploaded("m");
    Path manifest = at(Store.manifestKey(v.version()));
    Files.delete(manifest);
    Files.createSymbolicLink(manifest, Path.of("/dev/zero"));
    try (AssetClient c = client()) {
      IntegrityException e = assertTimeoutPreemptively(PROMPTLY,
          () -> assertThrows(IntegrityException.class, () -> c.version(TYPE, "m")));
      assertTrue(e.getMessage().contains("symbolic link") && e.getMessage().contains(Store.manifestKey(v.version())),
          e.getMessage());
    }
  }

  @Test
  void aLinkAtAKeyIsRefusedEvenWhenItLeadsToTheRightBytes() throws Exception {
    AssetVersion v = uploaded("m");
    Path blob = at(Store.blobKey(v.files().get(0).digest()));
    Path outside = Files.move(blob, tmp.resolve("outside"));
    Files.createSymbolicLink(blob, outside);
    try (AssetClient c = client()) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> c.download(TYPE, "m").to(tmp.resolve("out")));
      assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }
  }

  @Test
  void aSparseManifestOfThreeGigabytesIsRefusedWithoutReadingIt() throws Exception {
    AssetVersion v = uploaded("m");
    replaceWithSparseFile(at(Store.manifestKey(v.version())), 3L << 30);
    try (AssetClient c = client()) {
      IntegrityException e = assertTimeoutPreemptively(PROMPTLY,
          () -> assertThrows(IntegrityException.class, () -> c.version(TYPE, "m")));
      assertTrue(e.getMessage().startsWith("manifest " + v.version()) && e.getMessage().contains("is larger than"),
          e.getMessage());
    }
  }

  @Test
  void anOversizedAliasEntryIsRefusedAndAnOversizedHintIsIgnored() throws Exception {
    uploaded("m");
    replaceWithSparseFile(at(StoreLayout.aliasHead(TYPE, "m")), 1L << 30);
    try (AssetClient c = client()) {
      assertEquals(1, c.alias(TYPE, "m").orElseThrow().seq(), "the hint only saves probes");
    }
    replaceWithSparseFile(at(StoreLayout.aliasEntry(TYPE, "m", 1)), 1L << 30);
    try (AssetClient c = client()) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> c.alias(TYPE, "m"));
      assertTrue(e.getMessage().contains(StoreLayout.aliasEntry(TYPE, "m", 1)) && e.getMessage().contains("larger than"),
          e.getMessage());
    }
  }

  @Test
  void manifestReadsAreBoundedOnEveryBackendNotOnlyOnFiles() throws Exception {
    InMemoryStorage memory = new InMemoryStorage();
    AssetVersion v;
    try (AssetClient c = client(memory)) {
      v = c.newAsset(TYPE).add(file("model.h5", "weights")).alias("m").upload();
    }
    memory.put(Store.manifestKey(v.version()), Content.ofBytes(new byte[33 << 20]));
    try (AssetClient c = client(memory)) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> c.version(TYPE, "m"));
      assertTrue(e.getMessage().contains("is larger than"), e.getMessage());
    }
  }

  @Test
  void theStoreRootMayBeASymbolicLink() throws Exception {
    AssetVersion v = uploaded("m");
    Path link = Files.createSymbolicLink(tmp.resolve("link-to-store"), store());
    try (AssetClient c = client(new FileSystemStorage(link))) {
      assertEquals(v.version(), c.version(TYPE, "m").version());
      c.download(TYPE, "m").to(tmp.resolve("out"));
      assertEquals("weights", Files.readString(tmp.resolve("out/model.h5")));
    }
  }

  // ---- the format marker ----

  @Test
  void aStoreOfANewerFormatIsNeitherWrittenToNorRead() throws Exception {
    uploaded("m");
    Files.writeString(at(Store.FORMAT_MARKER), "{\"format\":\"ama-store\",\"version\":99}");
    try (AssetClient c = client()) {
      // Identical content: before, only an alias entry was written, and no format was checked.
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> c.newAsset(TYPE).add(file("model.h5", "weights")).add(file("model.yml", "lr: 1")).alias("other").upload());
      assertTrue(e.getMessage().contains("format version 99") && e.getMessage().contains("format version 1")
          && e.getMessage().contains("Upgrade AMA"), e.getMessage());
      assertFalse(Files.exists(at("aliases/" + TYPE + "/other")), "no alias entry was written");
      assertFalse(Files.exists(at("index/aliases/" + TYPE + "/other")), "no index marker was written");
      InvalidInputException read = assertThrows(InvalidInputException.class, () -> c.version(TYPE, "m"));
      assertTrue(read.getMessage().contains("format version 99"), read.getMessage());
    }
  }

  @Test
  void aFormatMarkerWithADuplicateKeyIsRefused() throws Exception {
    uploaded("m");
    // Last key wins would read version 1 here and hide the 99 from a strict reader.
    Files.writeString(at(Store.FORMAT_MARKER), "{\"format\":\"ama-store\",\"version\":99,\"version\":1}");
    try (AssetClient c = client()) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> c.version(TYPE, "m"));
      assertTrue(e.getMessage().contains("Duplicate field 'version'"), e.getMessage());
    }
  }

  @Test
  void theFormatIsReadOncePerClient() throws Exception {
    uploaded("m");
    AtomicInteger markerReads = new AtomicInteger();
    Storage counting = new ForwardingStorage(new FileSystemStorage(store())) {
      @Override
      public InputStream open(String key) throws IOException {
        if (key.equals(Store.FORMAT_MARKER)) {
          markerReads.incrementAndGet();
        }
        return super.open(key);
      }
    };
    try (AssetClient c = client(counting)) {
      c.version(TYPE, "m");
      c.download(TYPE, "m").to(tmp.resolve("out"));
      c.newAsset(TYPE).add(file("new.h5", "new")).alias("m").upload();
      c.history(TYPE, "m");
    }
    assertEquals(1, markerReads.get());
  }

  // ---- a missing or foreign root ----

  @Test
  void aVanishedStoreIsNotFoundAndLoadServesFromTheCacheMeanwhile() throws Exception {
    AssetVersion v = uploaded("m");
    Path cache = tmp.resolve("serving-cache");
    try (AssetClient serving = AssetClient.builder().newStoreFormat(1).store(store().toString()).user("bob").cache(cache).build()) {
      serving.load(TYPE, "m");
      Files.move(store(), tmp.resolve("unmounted"));
      // The same long-running client, whose format check passed before the share went away.
      assertEquals(v.version(), serving.load(TYPE, "m").version());
    }
    try (AssetClient restarted = AssetClient.builder().newStoreFormat(1).store(store().toString()).user("bob").cache(cache).build()) {
      assertEquals(v.version(), restarted.load(TYPE, "m").version());
      StoreException e = assertThrows(StoreException.class, () -> restarted.version(TYPE, "m"));
      assertTrue(e.getMessage().startsWith("no AMA store at " + store().toUri()) && e.getMessage().contains("does not exist")
          && e.getMessage().contains("--store"), e.getMessage());
    }
    assertFalse(Files.exists(store()), "reads create nothing");
  }

  @Test
  void uploadingIntoAFolderOfOtherFilesIsRefusedNamingTheFolder() throws Exception {
    Files.createDirectories(store());
    Files.writeString(store().resolve("thesis.tex"), "chapter 1");
    try (AssetClient c = client()) {
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> c.newAsset(TYPE).add(file("model.h5", "weights")).alias("m").upload());
      assertTrue(e.getMessage().startsWith("store location " + store().toUri() + " holds objects (such as thesis.tex)")
          && e.getMessage().contains("not an AMA store"), e.getMessage());
    }
    try (var s = Files.list(store())) {
      assertEquals(1, s.count(), "nothing was added beside the foreign file");
    }
  }

  @Test
  void aStoreCreatedByAnotherWriterDuringTheFirstCheckIsTakenAsAStore() throws Exception {
    // Two writers start on a new store: this one reads no marker, then the other writes the marker
    // and its objects before this one lists the location. Found by the S3 fault trials.
    Storage real = new FileSystemStorage(store());
    AtomicInteger markerReads = new AtomicInteger();
    Storage racing = new ForwardingStorage(real) {
      @Override
      public InputStream open(String key) throws IOException {
        if (key.equals(Store.FORMAT_MARKER) && markerReads.getAndIncrement() == 0) {
          try {
            return super.open(key);
          } catch (dev.ama.spi.ObjectNotFoundException e) {
            uploaded("other");
            throw e;
          }
        }
        return super.open(key);
      }
    };
    try (AssetClient c = client(racing)) {
      AssetVersion v = c.newAsset(TYPE).add(file("data.bin", "mine")).alias("mine").upload();
      assertEquals(v, c.version(TYPE, "mine"));
    }
    assertEquals(2, markerReads.get(), "the marker was read again after the listing found objects");
  }

  @Test
  void aFirstUploadCreatesTheStoreInAMissingFolder() throws Exception {
    uploaded("m");
    assertEquals("{\"format\":\"ama-store\",\"version\":1}", Files.readString(at(Store.FORMAT_MARKER)));
  }

  // ---- a corrupt manifest does not block recovery ----

  private static void flipAByte(Path p) throws IOException {
    byte[] bytes = Files.readAllBytes(p);
    int i = new String(bytes, StandardCharsets.UTF_8).indexOf("alice");
    bytes[i] = 'A';
    Files.write(p, bytes);
  }

  @Test
  void newFilesCanBeUploadedToAnAliasWhoseManifestIsCorrupt() throws Exception {
    AssetVersion v = uploaded("m");
    flipAByte(at(Store.manifestKey(v.version())));
    try (AssetClient c = client()) {
      AssetVersion next = c.newAsset(TYPE).add(file("model.h5", "better weights")).alias("m").upload();
      AliasEntry head = c.alias(TYPE, "m").orElseThrow();
      assertEquals(next.version(), head.version());
      assertEquals(v.version(), head.previous().orElseThrow(), "the previous version is known without its manifest");
    }
  }

  @Test
  void theOriginalFilesCanBeUploadedAgainUnderTheSameOrAnotherAlias() throws Exception {
    AssetVersion v = uploaded("m");
    flipAByte(at(Store.manifestKey(v.version())));
    try (AssetClient c = client()) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> c.version(TYPE, "m"));
      assertTrue(e.getMessage().contains("Upload the asset's files again to make a new, intact version"), e.getMessage());
      for (String alias : new String[] {"m", "other"}) {
        AssetVersion again = c.newAsset(TYPE).add(file("model.h5", "weights")).add(file("model.yml", "lr: 1")).alias(alias).upload();
        assertNotEquals(v.version(), again.version());
        assertEquals(again.version(), c.version(TYPE, alias).version());
      }
    }
  }

  @Test
  void uploadingTheSameManifestAgainRepairsACorruptCopyAtItsKey() throws Exception {
    Clock fixed = Clock.fixed(Instant.parse("2026-11-22T08:00:00Z"), ZoneOffset.UTC);
    AssetVersion v;
    try (AssetClient c = AssetClient.builder().newStoreFormat(1).storage(new FileSystemStorage(store())).user("alice").clock(fixed)
        .cache(tmp.resolve("cache-a")).build()) {
      v = c.newAsset(TYPE).add(file("model.h5", "weights")).alias("m").upload();
    }
    Path manifest = at(Store.manifestKey(v.version()));
    byte[] intact = Files.readAllBytes(manifest);
    flipAByte(manifest);
    try (AssetClient c = AssetClient.builder().newStoreFormat(1).storage(new FileSystemStorage(store())).user("alice").clock(fixed)
        .cache(tmp.resolve("cache-b")).build()) {
      assertEquals(v.version(), c.newAsset(TYPE).add(file("model.h5", "weights")).alias("m").upload().version());
    }
    assertArrayEquals(intact, Files.readAllBytes(manifest), "the one correct content replaced the corrupt copy");
  }

  // ---- misleading messages ----

  @Test
  void anAliasPointingAtAMissingManifestIsAnIntegrityError() throws Exception {
    AssetVersion v = uploaded("m");
    Files.delete(at(Store.manifestKey(v.version())));
    try (AssetClient c = client()) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> c.version(TYPE, "m"));
      assertTrue(e.getMessage().contains(v.version().toString()) && e.getMessage().contains("missing"), e.getMessage());
      assertThrows(IntegrityException.class, () -> c.load(TYPE, "m"));
      // An id the user gave is simply not found.
      assertThrows(NotFoundException.class, () -> c.version(Digest.sha256(new byte[] {1})));
    }
  }
}
