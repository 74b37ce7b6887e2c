package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import dev.ama.storage.InMemoryStorage;
import dev.ama.testing.AgingStorage;
import dev.ama.testing.StoreChecker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * gc on a format 2 store, where liveness is about locations: a pack whose blobs are partly dead is
 * repacked into a new pack, a forwarding object says where its live blobs went, and only then is
 * the old pack deleted; readers, verify and later uploads follow the forwarding. Uploads racing a
 * repack of the pack they reuse are covered by leases naming packs. Objects are made old with
 * {@link AgingStorage}, never by sleeping.
 */
class RepackTest {
  private static final Duration OLD = Duration.ofHours(48);
  private static final int FILES = 20;

  enum Backend { MEMORY, FILESYSTEM }

  @TempDir Path tmp;
  private Storage real;
  private AgingStorage storage;
  private int dirs;

  @AfterEach
  void close() throws IOException {
    if (real != null) {
      real.close();
    }
  }

  private void open(Backend b) {
    real = b == Backend.MEMORY ? new InMemoryStorage() : new FileSystemStorage(tmp.resolve("store"));
    storage = new AgingStorage(real);
  }

  private AssetClient client(Storage s) {
    return AssetClient.builder().storage(s).user("t").cache(tmp.resolve("cache-" + dirs++)).newStoreFormat(2).build();
  }

  /** A folder of {@link #FILES} files of 10 KiB: file i has seed {@code seeds[i]}. */
  private Map<String, byte[]> contents(long... seeds) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (int i = 0; i < seeds.length; i++) {
      byte[] b = new byte[10_240];
      new Random(seeds[i]).nextBytes(b);
      out.put(String.format("f%02d.bin", i), b);
    }
    return out;
  }

  private static long[] seeds(long base, int changed) {
    long[] s = new long[FILES];
    for (int i = 0; i < FILES; i++) {
      s[i] = i < changed ? base * 1000 + i : i;
    }
    return s;
  }

  private AssetVersion upload(AssetClient c, String alias, Map<String, byte[]> files) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("files-" + dirs++));
    AssetUpload u = c.newAsset("models");
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      u.add(Files.write(dir.resolve(e.getKey()), e.getValue()));
    }
    return u.alias(alias).upload();
  }

  private void assertDownloads(String alias, Map<String, byte[]> expected) throws IOException {
    try (AssetClient c = client(real)) {
      Path out = tmp.resolve("out-" + dirs++);
      c.download("models", alias).to(out);
      for (Map.Entry<String, byte[]> e : expected.entrySet()) {
        assertArrayEquals(e.getValue(), Files.readAllBytes(out.resolve(e.getKey())), alias + " " + e.getKey());
      }
    }
  }

  private void assertVerifies(String when) throws IOException {
    try (AssetClient c = client(real)) {
      VerifyReport r = c.verify(VerifyOptions.DEFAULTS.withDeep());
      assertTrue(r.ok(), when + ": " + r.problems());
    }
    StoreChecker.check(real).assertConsistent(when);
  }

  private Set<String> keys(String prefix) throws IOException {
    try (Stream<ObjectInfo> s = real.list(prefix)) {
      return s.map(ObjectInfo::key).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Two versions of one alias: the second changes half the files, so the first's pack is half dead under keep-last 1. */
  private Map<String, byte[]> twoVersions() throws IOException {
    Map<String, byte[]> second = contents(seeds(2, FILES / 2));
    try (AssetClient c = client(storage)) {
      upload(c, "prod", contents(seeds(1, 0)));
      upload(c, "prod", second);
    }
    storage.ageAll(OLD);
    return second;
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aHalfDeadPackIsRepackedAndTheKeptVersionDownloadsByteExactAndVerifies(Backend backend) throws IOException {
    open(backend);
    Map<String, byte[]> kept = twoVersions();
    Set<String> packsBefore = keys("packs/");
    assertEquals(2, packsBefore.size(), "one pack per upload");
    GcReport r;
    try (AssetClient c = client(storage)) {
      r = c.gc(GcOptions.dryRun().deleting().keepLast(1));
    }
    assertTrue(r.complete(), r.notes().toString());
    assertEquals(1, r.collectedVersions().size());
    Set<String> packsAfter = keys("packs/");
    Set<String> gone = new TreeSet<>(packsBefore);
    gone.removeAll(packsAfter);
    assertEquals(1, gone.size(), "the first upload's pack, half dead, is gone: " + packsAfter);
    assertEquals(3, packsAfter.size() + gone.size(), "one new pack holds its live half");
    String old = gone.iterator().next();
    String forwarding = StoreLayout.moves(Digest.sha256Hex(StoreLayout.lastSegment(old)));
    assertEquals(Set.of(forwarding), keys(StoreLayout.MOVES_INDEX), "the old pack's forwarding object");
    assertTrue(r.collectable().blobBytes() >= (FILES / 2) * 10_240L, "the dead half is freed: " + r.collectable());
    assertDownloads("prod", kept);
    assertVerifies("after a repack");
  }

  @Test
  void aPackWithLittleDeadIsLeftAlone() throws IOException {
    open(Backend.MEMORY);
    try (AssetClient c = client(storage)) {
      upload(c, "prod", contents(seeds(1, 0)));
      upload(c, "prod", contents(seeds(2, 1)));
    }
    storage.ageAll(OLD);
    Set<String> before = keys("packs/");
    try (AssetClient c = client(storage)) {
      GcReport r = c.gc(GcOptions.dryRun().deleting().keepLast(1));
      assertEquals(1, r.collectedVersions().size());
    }
    assertEquals(before, keys("packs/"), "1 dead blob of 20 is below the repack threshold");
    assertVerifies("after a gc that repacked nothing");
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void theNextUploadAndARepackOfTheRepackedPackFollowTheForwarding(Backend backend) throws IOException {
    open(backend);
    twoVersions();
    try (AssetClient c = client(storage)) {
      c.gc(GcOptions.dryRun().deleting().keepLast(1));
    }
    // A third version reuses blobs the second's record locates in the pack that is gone now.
    Map<String, byte[]> third = contents(seeds(3, FILES / 4));
    try (AssetClient c = client(storage)) {
      upload(c, "prod", third);
    }
    assertDownloads("prod", third);
    assertVerifies("after an upload over a repacked pack");
    storage.ageAll(OLD);
    try (AssetClient c = client(storage)) {
      GcReport r = c.gc(GcOptions.dryRun().deleting().keepLast(1));
      assertTrue(r.complete(), r.notes().toString());
    }
    assertDownloads("prod", third);
    assertVerifies("after a second gc");
  }

  @Test
  void aKeptVersionStaysReadableThroughTwoRepacksByForwardingChains() throws IOException {
    open(Backend.FILESYSTEM);
    // prod keeps its first version by history; other aliases make its packs partly dead in turn.
    Map<String, byte[]> first = contents(seeds(1, 0));
    try (AssetClient c = client(storage)) {
      upload(c, "keep", first);
      upload(c, "tmp", contents(seeds(1, 0)));
    }
    Map<String, byte[]> later = contents(seeds(5, FILES / 2));
    try (AssetClient c = client(storage)) {
      upload(c, "prod", later);
      upload(c, "prod", contents(seeds(6, FILES)));
    }
    storage.ageAll(OLD);
    try (AssetClient c = client(storage)) {
      assertTrue(c.gc(GcOptions.dryRun().deleting().keepLast(1)).complete());
    }
    assertDownloads("keep", first);
    assertVerifies("after the first gc");
  }

  /**
   * An upload to the alias, reusing blobs of the pack the gc repacks, at a moment of the gc: before
   * its plan (the gc sees the upload's lease of the pack and spares it) or after it (the upload sees
   * the plan and sends those blobs again). Either way the alias never names an unreadable version.
   */
  @ParameterizedTest
  @EnumSource(Moment.class)
  void anUploadReusingThePackAGcRepacksNeverYieldsAnUnreadableVersion(Moment moment) throws IOException {
    open(Backend.FILESYSTEM);
    twoVersions();
    Map<String, byte[]> racing = contents(seeds(7, 2));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    GcTest.Hook hook = new GcTest.Hook(storage, moment.prefix, () -> {
      try (AssetClient up = client(storage)) {
        upload(up, "prod", racing);
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    GcReport r;
    try (AssetClient c = client(hook)) {
      r = c.gc(GcOptions.dryRun().deleting().keepLast(1));
    }
    assertEquals(null, failure.get(), "the racing upload does not fail: it relies on no doomed blob");
    assertTrue(r.deleted());
    assertDownloads("prod", racing);
    assertVerifies("after an upload raced a repack " + moment);
    if (moment == Moment.BEFORE_THE_PLAN) {
      assertTrue(keys(StoreLayout.MOVES_INDEX).isEmpty(), "the leased pack is spared, not repacked");
    }
    storage.ageAll(OLD);
    try (AssetClient c = client(storage)) {
      assertTrue(c.gc(GcOptions.dryRun().deleting().keepLast(1)).complete());
    }
    assertDownloads("prod", racing);
    assertVerifies("after the next gc");
  }

  enum Moment {
    BEFORE_THE_PLAN("gc/plans/"),
    AFTER_THE_PLAN("index/");

    final String prefix;

    Moment(String prefix) {
      this.prefix = prefix;
    }
  }

  @Test
  void aKeptVersionWithoutItsUploadRecordStopsAllBlobAndPackDeletion() throws IOException {
    open(Backend.MEMORY);
    AssetVersion v;
    try (AssetClient c = client(storage)) {
      v = upload(c, "prod", contents(seeds(1, 0)));
      c.newAsset("models").add(Files.write(tmp.resolve("orphan.bin"), new byte[] {1, 2, 3})).upload();
    }
    real.delete(StoreLayout.uploadRecord(v.createdAt(), v.version()));
    storage.ageAll(OLD);
    Set<String> packs = keys("packs/");
    try (AssetClient c = client(storage)) {
      GcReport r = c.gc(GcOptions.dryRun().deleting());
      assertEquals(1, r.collectedVersions().size(), "the orphan's manifest still goes");
      assertTrue(r.notes().stream().anyMatch(n -> n.contains("no upload record")), r.notes().toString());
    }
    assertEquals(packs, keys("packs/"), "no pack is deleted while where a kept version's blobs live is unknown");
  }

  @Test
  void aKeptVersionWhoseManifestCannotBeReadStopsAllPackDeletion() throws IOException {
    open(Backend.MEMORY);
    AssetVersion v;
    try (AssetClient c = client(storage)) {
      v = upload(c, "prod", contents(seeds(1, 0)));
      c.newAsset("models").add(Files.write(tmp.resolve("orphan.bin"), new byte[] {1, 2, 3})).upload();
    }
    real.put(Store.manifestKey(v.version()), Content.ofBytes("{\"damaged\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    storage.ageAll(OLD);
    Set<String> packs = keys("packs/");
    try (AssetClient c = client(storage)) {
      GcReport r = c.gc(GcOptions.dryRun().deleting());
      assertTrue(r.notes().stream().anyMatch(n -> n.contains("cannot be read")), r.notes().toString());
    }
    assertEquals(packs, keys("packs/"), "its files, and so the packs they live in, are unknown");
  }

  @Test
  void looseBlobsNoRecordLocatesAndOrphanRecordsAreRemovedAfterTheGracePeriod() throws IOException {
    open(Backend.MEMORY);
    Map<String, byte[]> kept = contents(seeds(1, 0));
    try (AssetClient c = client(storage)) {
      upload(c, "prod", kept);
    }
    // What a migration that packed a blob leaves, and an upload that died after its record.
    byte[] loose = kept.get("f00.bin");
    real.put(Store.blobKey(Digest.sha256(loose)), Content.ofBytes(loose));
    String orphanRecord = StoreLayout.uploadRecord(java.time.Instant.parse("2026-01-01T00:00:00Z"),
        Digest.sha256(new byte[] {9}));
    real.put(orphanRecord, Content.ofBytes(UploadRecords.encode(new UploadRecords.UploadRecord(
        Digest.sha256(new byte[] {9}), "models", java.time.Instant.parse("2026-01-01T00:00:00Z"), List.of()))));
    try (AssetClient c = client(storage)) {
      GcReport young = c.gc(GcOptions.dryRun().deleting());
      assertEquals(0, young.collectable().blobs(), "young: spared");
    }
    storage.ageAll(OLD);
    try (AssetClient c = client(storage)) {
      GcReport r = c.gc(GcOptions.dryRun().deleting());
      assertEquals(1, r.collectable().blobs(), r.toString());
    }
    assertFalse(real.stat(Store.blobKey(Digest.sha256(loose))).isPresent(), "the packed blob's loose copy is gone");
    assertFalse(real.stat(orphanRecord).isPresent(), "the record without a manifest is gone");
    assertDownloads("prod", kept);
    assertVerifies("after removing leftovers");
  }
}
