package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.StorageCapability;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code load} with options: where a version came from, strict loading, subsets, and holds. */
class LoadOptionsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path tmp;
  private final MutableClock clock = new MutableClock(T0);

  private TestStorage storage() throws IOException {
    return new TestStorage(new FileSystemStorage(tmp.resolve("store")), EnumSet.allOf(StorageCapability.class));
  }

  private AssetClient client(TestStorage storage) {
    return AssetClient.builder().storage(storage).user("t").cache(tmp.resolve("cache")).clock(clock).build();
  }

  private AssetVersion upload(AssetClient c, String... nameAndContent) throws IOException {
    AssetUpload u = c.newAsset("models").alias("prod");
    Path dir = Files.createDirectories(tmp.resolve("files-" + System.nanoTime()));
    for (int i = 0; i < nameAndContent.length; i += 2) {
      u.add(Files.writeString(dir.resolve(nameAndContent[i]), nameAndContent[i + 1]));
    }
    return u.upload();
  }

  @Test
  void aLoadResolvedAgainstTheStoreSaysSoAndWhen() throws IOException {
    try (AssetClient c = client(storage())) {
      upload(c, "model.h5", "weights");
      clock.now = T0.plusSeconds(5);
      try (LoadedAsset loaded = c.load("models", "prod")) {
        assertEquals(LoadedAsset.Origin.STORE, loaded.origin());
        assertFalse(loaded.stale());
        assertTrue(loaded.staleCause().isEmpty());
        assertEquals(T0.plusSeconds(5), loaded.lastResolved().orElseThrow());
      }
    }
  }

  @Test
  void aLoadServedFromTheCacheOfflineSaysSoWithTheCauseAndTheLastResolution() throws IOException {
    TestStorage storage = storage();
    try (AssetClient c = client(storage)) {
      AssetVersion v = upload(c, "model.h5", "weights");
      clock.now = T0.plusSeconds(5);
      c.load("models", "prod").close();
      storage.offline = true;
      clock.now = T0.plusSeconds(60);
      try (LoadedAsset offline = c.load("models", "prod")) {
        assertEquals(v.version(), offline.version());
        assertEquals(LoadedAsset.Origin.CACHE, offline.origin());
        assertTrue(offline.stale());
        assertTrue(offline.staleCause().orElseThrow().getMessage().contains("offline"),
            offline.staleCause().get().getMessage());
        assertEquals(T0.plusSeconds(5), offline.lastResolved().orElseThrow(), "the last successful resolution, not now");
        assertEquals("weights", Files.readString(offline.file("model.h5")));
      }
    }
  }

  @Test
  void aClientStartedOfflineKnowsWhenTheAliasWasLastResolvedByAnEarlierOne() throws IOException {
    TestStorage storage = storage();
    try (AssetClient c = client(storage)) {
      upload(c, "model.h5", "weights");
      clock.now = T0.plusSeconds(7);
      c.load("models", "prod").close();
    }
    storage.offline = true;
    try (AssetClient later = client(storage); LoadedAsset offline = later.load("models", "prod")) {
      assertTrue(offline.stale());
      assertEquals(T0.plusSeconds(7), offline.lastResolved().orElseThrow());
    }
  }

  @Test
  void aStrictLoadRefusesToServeFromTheCacheNamingTheStoreTheAliasAndTheRemedy() throws IOException {
    TestStorage storage = storage();
    try (AssetClient c = client(storage)) {
      AssetVersion v = upload(c, "model.h5", "weights");
      c.load("models", "prod").close();
      storage.offline = true;
      StoreException e = assertThrows(StoreException.class,
          () -> c.load("models", "prod", LoadOptions.defaults().strict()));
      assertTrue(e.getMessage().contains(storage.location()), e.getMessage());
      assertTrue(e.getMessage().contains("models/prod"), e.getMessage());
      assertTrue(e.getMessage().contains(v.version().shortHex()), "names the cached version: " + e.getMessage());
      assertTrue(e.getMessage().contains("without strict"), e.getMessage());
      assertTrue(c.load("models", "prod").stale(), "without strict the cached version is still served");
    }
  }

  @Test
  void aSubsetLoadFetchesAndPlacesOnlyTheSelectedFiles() throws IOException {
    try (AssetClient c = client(storage())) {
      AssetVersion v = upload(c, "model.h5", "weights", "checkpoint.bin", "a huge checkpoint", "model.yml", "layers: 3");
      // A fresh cache: the upload's own blobs are not in the serving cache.
      try (AssetClient serving = AssetClient.builder().storage(storage()).user("t").cache(tmp.resolve("serving")).build();
          LoadedAsset loaded = serving.load("models", "prod",
              LoadOptions.defaults().files(FileSelection.include("*.h5", "*.yml")))) {
        assertEquals(List.of("model.h5", "model.yml"), List.copyOf(loaded.files().keySet()));
        assertEquals("weights", Files.readString(loaded.file("model.h5")));
        assertFalse(Files.exists(loaded.dir().resolve("checkpoint.bin")), "the unselected file is not placed");
        assertEquals(Set.of(v.file("model.h5").orElseThrow().digest().hex(), v.file("model.yml").orElseThrow().digest().hex()),
            blobsIn(tmp.resolve("serving")), "and not fetched");
        NotFoundException e = assertThrows(NotFoundException.class, () -> loaded.file("checkpoint.bin"));
        assertTrue(e.getMessage().contains("was not loaded") && e.getMessage().contains("*.h5"), e.getMessage());
      }
    }
  }

  private static Set<String> blobsIn(Path cache) throws IOException {
    try (Stream<Path> s = Files.walk(cache.resolve("blobs"))) {
      return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  @Test
  void aLoadedAssetHoldsItsVersionUntilClosedAndClosingTwiceDoesNothing() throws IOException {
    try (AssetClient c = client(storage())) {
      AssetVersion v = upload(c, "model.h5", "weights");
      LoadedAsset loaded = c.load("models", "prod");
      assertTrue(CachePins.heldHere(c.cacheDir(), v.version()));
      LoadedAsset second = c.load("models", "prod");
      loaded.close();
      assertTrue(CachePins.heldHere(c.cacheDir(), v.version()), "the second load still holds it");
      loaded.close();
      assertTrue(CachePins.heldHere(c.cacheDir(), v.version()), "a second close does not release another's hold");
      second.close();
      assertFalse(CachePins.heldHere(c.cacheDir(), v.version()));
    }
  }

  @Test
  void anUnclosedLoadedAssetIsReleasedOnceUnreachable() throws Exception {
    try (AssetClient c = client(storage())) {
      AssetVersion v = upload(c, "model.h5", "weights");
      c.load("models", "prod");
      assertTrue(CachePins.heldHere(c.cacheDir(), v.version()));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (CachePins.heldHere(c.cacheDir(), v.version()) && System.nanoTime() < deadline) {
        System.gc();
        Thread.sleep(20);
      }
      assertFalse(CachePins.heldHere(c.cacheDir(), v.version()), "the cleaner released the forgotten hold");
    }
  }

  @Test
  void optionsAreImmutableEachMethodMakesACopy() {
    assertSame(LoadOptions.defaults(), LoadOptions.defaults());
    assertTrue(LoadOptions.defaults().strict().isStrict());
    assertFalse(LoadOptions.defaults().isStrict(), "options are immutable: strict() made a copy");
  }

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant start) {
      now = start;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
