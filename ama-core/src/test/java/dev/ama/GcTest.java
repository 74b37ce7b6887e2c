package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import dev.ama.storage.InMemoryStorage;
import dev.ama.testing.AgingStorage;
import dev.ama.testing.StoreChecker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Garbage collection through the API: what it keeps, what it deletes, the grace period measured
 * by the store's clock, uploads racing it, and stores whose times cannot be trusted. Objects are
 * made old with {@link AgingStorage}, never by sleeping.
 */
class GcTest {
  private static final Duration OLD = Duration.ofHours(48);

  enum Backend { MEMORY, FILESYSTEM }

  @TempDir Path tmp;
  private Storage real;
  private AgingStorage storage;
  private int files;
  private int clients;

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

  private AssetClient client() {
    return client(storage);
  }

  private AssetClient client(Storage s) {
    return AssetClient.builder().newStoreFormat(1).storage(s).user("t").cache(tmp.resolve("cache-" + clients++)).build();
  }

  private Path file(String name, byte[] content) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("files-" + files++));
    return Files.write(dir.resolve(name), content);
  }

  private static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private TreeMap<String, Long> keys() throws IOException {
    try (Stream<ObjectInfo> s = real.list("")) {
      return s.filter(o -> !o.key().startsWith("gc/"))
          .collect(Collectors.toMap(ObjectInfo::key, ObjectInfo::size, (a, b) -> a, TreeMap::new));
    }
  }

  private void assertDownloads(AssetClient c, String type, String selector, Map<String, byte[]> expected) throws IOException {
    Path out = tmp.resolve("out-" + files++);
    c.download(type, selector).to(out);
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      assertArrayEquals(e.getValue(), Files.readAllBytes(out.resolve(e.getKey())), type + "/" + selector + " " + e.getKey());
    }
  }

  private void assertConsistent(String when) throws IOException {
    StoreChecker.check(real).assertConsistent(when);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aDryRunDeletesNothingAndReportsWhatAndHowManyBytes(Backend backend) throws IOException {
    open(backend);
    byte[] orphanBytes = bytes(5000, 1);
    AssetVersion orphan;
    try (AssetClient c = client()) {
      c.newAsset("models").add(file("kept.bin", bytes(3000, 2))).alias("prod").upload();
      orphan = c.newAsset("models").add(file("orphan.bin", orphanBytes)).upload();
    }
    storage.ageAll(OLD);
    TreeMap<String, Long> before = keys();
    GcReport r;
    try (AssetClient c = client()) {
      r = c.gc(GcOptions.dryRun());
    }
    assertFalse(r.deleted());
    assertEquals(List.of(orphan.version()), r.collectedVersions());
    assertEquals(1, r.collectable().manifests());
    assertEquals(1, r.collectable().blobs());
    assertEquals(orphanBytes.length, r.collectable().blobBytes());
    long manifestBytes = before.get(Store.manifestKey(orphan.version()));
    assertEquals(manifestBytes, r.collectable().manifestBytes());
    assertEquals(2, r.collectable().markers(), "the orphan's version and blob-use markers");
    assertEquals(1, r.keptVersions());
    assertEquals(before, keys(), "a dry run deletes nothing");
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void deletingRemovesExactlyWhatNothingKeepsAndKeptAliasesDownloadByteExact(Backend backend) throws IOException {
    open(backend);
    byte[] shared = "shared by both\n".getBytes(StandardCharsets.UTF_8);
    byte[] kept = bytes(200_000, 3);
    byte[] orphanOnly = bytes(7000, 4);
    AssetVersion orphan;
    try (AssetClient c = client()) {
      AssetVersion base = c.newAsset("inputs").add(file("params.yml", "lr: 1\n".getBytes(StandardCharsets.UTF_8)))
          .upload();
      c.newAsset("models").add(file("model.bin", kept), file("shared.txt", shared)).ref(base).alias("prod").upload();
      orphan = c.newAsset("models").add(file("orphan.bin", orphanOnly), file("shared.txt", shared)).upload();
    }
    storage.ageAll(OLD);
    TreeMap<String, Long> before = keys();
    GcReport r;
    try (AssetClient c = client()) {
      r = c.gc(GcOptions.dryRun().deleting());
      assertTrue(r.deleted());
      assertTrue(r.complete());
      assertEquals(List.of(orphan.version()), r.collectedVersions(), "the unaliased base is kept by the ref to it");
      TreeMap<String, Long> gone = new TreeMap<>(before);
      gone.keySet().removeAll(keys().keySet());
      TreeMap<String, Long> expected = new TreeMap<>();
      for (String k : before.keySet()) {
        if (k.contains(orphan.version().hex()) || k.equals(Store.blobKey(Digest.sha256(orphanOnly)))) {
          expected.put(k, before.get(k));
        }
      }
      assertEquals(expected.keySet(), gone.keySet(), "exactly the orphan's manifest, its own blob and its markers");
      assertDownloads(c, "models", "prod", Map.of("model.bin", kept, "shared.txt", shared));
      assertThrows(NotFoundException.class, () -> c.version(orphan.version()));
    }
    assertConsistent("after gc");
  }

  @Test
  void nothingYoungerThanTheGracePeriodIsTouched() throws IOException {
    open(Backend.MEMORY);
    try (AssetClient c = client()) {
      c.newAsset("models").add(file("orphan.bin", bytes(100, 5))).upload();
      assertEquals(0, c.gc(GcOptions.dryRun().deleting()).collectable().manifests(), "just uploaded");
      storage.ageAll(Duration.ofHours(23));
      GcReport young = c.gc(GcOptions.dryRun().deleting());
      assertEquals(0, young.collectable().manifests() + young.collectable().blobs(), "23 h old, grace 24 h");
      assertEquals(2, young.spared(), "the manifest and its blob, spared by age");
      assertEquals(0, c.gc(GcOptions.dryRun().deleting().grace(Duration.ofHours(30))).collectable().blobs());
      storage.ageAll(Duration.ofHours(2));
      GcReport r = c.gc(GcOptions.dryRun().deleting());
      assertEquals(1, r.collectable().manifests());
      assertEquals(1, r.collectable().blobs());
    }
    assertThrows(InvalidInputException.class, () -> GcOptions.dryRun().grace(Duration.ofMinutes(10)));
  }

  @Test
  void keepLastKeepsTheLastEntriesAndWhatTheyRefAndHistorySaysCollected() throws IOException {
    open(Backend.FILESYSTEM);
    byte[][] models = {bytes(1000, 10), bytes(1000, 11), bytes(1000, 12)};
    byte[] params = "lr: 0.1\n".getBytes(StandardCharsets.UTF_8);
    AssetVersion[] v = new AssetVersion[3];
    try (AssetClient c = client()) {
      AssetVersion base = c.newAsset("inputs").add(file("params.yml", params)).upload();
      v[0] = c.newAsset("models").add(file("m.bin", models[0])).alias("prod").upload();
      v[1] = c.newAsset("models").add(file("m.bin", models[1])).alias("prod").upload();
      v[2] = c.newAsset("models").add(file("m.bin", models[2])).ref(base).alias("prod").upload();
    }
    storage.ageAll(OLD);
    try (AssetClient c = client()) {
      GcReport full = c.gc(GcOptions.dryRun().deleting());
      assertEquals(0, full.collectable().manifests(), "the whole history keeps every version by default");
      GcReport r = c.gc(GcOptions.dryRun().deleting().keepLast(2));
      assertEquals(List.of(v[0].version()), r.collectedVersions());
      r = c.gc(GcOptions.dryRun().deleting().keepLast(1));
      assertEquals(List.of(v[1].version()), r.collectedVersions());
      assertDownloads(c, "models", "prod", Map.of("m.bin", models[2]));
      Path out = tmp.resolve("with-refs");
      c.download("models", "prod").withRefs().to(out);
      assertArrayEquals(params, Files.readAllBytes(findOne(out.resolve("refs"), "params.yml")));
      List<HistoryEntry> history = c.historyStatus("models", "prod");
      assertEquals(List.of(HistoryEntry.State.COLLECTED, HistoryEntry.State.COLLECTED, HistoryEntry.State.STORED),
          history.stream().map(HistoryEntry::state).toList());
      assertEquals(3, c.history("models", "prod").size(), "the log keeps every entry");
    }
    assertConsistent("after keep-last 1");
  }

  private static Path findOne(Path dir, String name) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
    }
  }

  @Test
  void keepSinceKeepsEntriesFromThatInstantAndTheCurrentOne() throws IOException {
    open(Backend.MEMORY);
    Instant now = Instant.now();
    java.time.Clock tenDaysAgo = java.time.Clock.fixed(now.minus(Duration.ofDays(10)), java.time.ZoneOffset.UTC);
    AssetVersion first;
    try (AssetClient c = AssetClient.builder().newStoreFormat(1).storage(storage).user("t").cache(tmp.resolve("c-old")).clock(tenDaysAgo)
        .build()) {
      first = c.newAsset("models").add(file("m.bin", bytes(10, 20))).alias("a").upload();
    }
    Instant since = now.minus(Duration.ofDays(5));
    try (AssetClient c = client()) {
      storage.ageAll(OLD);
      GcReport r = c.gc(GcOptions.dryRun().keepSince(since));
      assertEquals(List.of(), r.collectedVersions(), "an alias's current entry is always kept");
      c.newAsset("models").add(file("m.bin", bytes(10, 22))).alias("a").upload();
      storage.ageAll(OLD);
      r = c.gc(GcOptions.dryRun().keepSince(since));
      assertEquals(List.of(first.version()), r.collectedVersions(), "a's first entry is older than --keep-since");
      r = c.gc(GcOptions.dryRun().keepSince(since).keepLast(2));
      assertEquals(List.of(), r.collectedVersions(), "an entry either policy keeps is kept");
      r = c.gc(GcOptions.dryRun().keepSince(now.minus(Duration.ofDays(11))));
      assertEquals(List.of(), r.collectedVersions());
    }
  }

  /** Runs something the moment the gc is about to write a key with this prefix. */
  private static final class Hook extends ForwardingStorage {
    private final String prefix;
    private final AtomicReference<Runnable> action = new AtomicReference<>();

    Hook(Storage delegate, String prefix, Runnable action) {
      super(delegate);
      this.prefix = prefix;
      this.action.set(action);
    }

    private void fire(String key) {
      if (key.startsWith(prefix)) {
        Runnable a = action.getAndSet(null);
        if (a != null) {
          a.run();
        }
      }
    }

    @Override
    public PutOutcome putIfAbsent(String key, Content content) throws IOException {
      fire(key);
      return super.putIfAbsent(key, content);
    }

    @Override
    public boolean delete(String key) throws IOException {
      fire(key);
      return super.delete(key);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void anUploadReusingAnOldOrphanBlobBeforeThePlanIsWrittenKeepsIt(Backend backend) throws IOException {
    open(backend);
    byte[] orphanBytes = bytes(300_000, 30);
    byte[] otherOrphan = bytes(200_000, 32);
    try (AssetClient c = client()) {
      c.newAsset("models").add(file("orphan.bin", orphanBytes)).upload();
      c.newAsset("models").add(file("other.bin", otherOrphan)).upload();
    }
    storage.ageAll(OLD);
    AtomicReference<AssetVersion> racer = new AtomicReference<>();
    AtomicReference<AssetVersion> unaliased = new AtomicReference<>();
    // The gc has marked (the orphan blobs are doomed) and is about to record its plan: the uploads
    // reuse them now, one under an alias (seen again through its alias entry and its lease), one
    // without (protected by nothing but its lease).
    Hook hook = new Hook(storage, "gc/plans/", () -> {
      try (AssetClient up = client()) {
        racer.set(up.newAsset("models").add(file("other.bin", otherOrphan), file("new.txt", bytes(10, 31)))
            .alias("racer").upload());
        unaliased.set(up.newAsset("models").add(file("again.bin", orphanBytes)).upload());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    GcReport r;
    try (AssetClient c = client(hook)) {
      r = c.gc(GcOptions.dryRun().deleting());
    }
    assertTrue(r.deleted());
    assertEquals(2, r.collectedVersions().size(), "only the old orphans' manifests");
    assertEquals(0, r.collectable().blobs(), "their blobs are reused by the racing uploads");
    assertTrue(real.stat(Store.blobKey(Digest.sha256(orphanBytes))).isPresent());
    assertTrue(real.stat(Store.blobKey(Digest.sha256(otherOrphan))).isPresent());
    assertTrue(real.stat(Store.manifestKey(unaliased.get().version())).isPresent());
    assertConsistent("after racing uploads");
    try (AssetClient c = client()) {
      assertDownloads(c, "models", "racer", Map.of("other.bin", otherOrphan));
      Path out = tmp.resolve("unaliased");
      c.download(unaliased.get()).to(out);
      assertArrayEquals(orphanBytes, Files.readAllBytes(out.resolve("again.bin")));
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void anUploadReusingADoomedBlobAfterThePlanFailsClearlyAndARetryAfterGcSucceeds(Backend backend) throws IOException {
    open(backend);
    byte[] orphanBytes = bytes(300_000, 40);
    try (AssetClient c = client()) {
      c.newAsset("models").add(file("orphan.bin", orphanBytes)).upload();
    }
    storage.ageAll(OLD);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean ran = new AtomicBoolean();
    // The plan is recorded and the gc is about to delete: an upload starting now must not rely on the blob.
    Hook hook = new Hook(storage, "index/", () -> {
      ran.set(true);
      try (AssetClient up = client()) {
        // Not identical content (another name): it would reuse the blob, not the version.
        up.newAsset("models").add(file("late.bin", orphanBytes)).alias("late").upload();
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    try (AssetClient c = client(hook)) {
      GcReport r = c.gc(GcOptions.dryRun().deleting());
      assertEquals(1, r.collectable().blobs());
    }
    assertTrue(ran.get());
    assertTrue(failure.get() instanceof StoreException, "the late upload fails clearly, not silently: " + failure.get());
    StoreException e = (StoreException) failure.get();
    assertTrue(e.getMessage().contains("garbage collection") && e.getMessage().contains(Digest.sha256(orphanBytes).toString()),
        e.getMessage());
    try (AssetClient c = client()) {
      assertTrue(c.alias("models", "late").isEmpty(), "the failed upload moved no alias");
      c.newAsset("models").add(file("late.bin", orphanBytes)).alias("late").upload();
      assertDownloads(c, "models", "late", Map.of("late.bin", orphanBytes));
    }
    assertConsistent("after the retried upload");
  }

  @Test
  void aRemovedAliasKeepsItsHistoryUnderTheDefaultPolicyAndNothingUnderKeepLastOne() throws IOException {
    open(Backend.MEMORY);
    AssetVersion v;
    try (AssetClient c = client()) {
      v = c.newAsset("models").add(file("m.bin", bytes(100, 60))).alias("canary").upload();
      c.removeAlias("models", "canary");
    }
    storage.ageAll(OLD);
    try (AssetClient c = client()) {
      assertEquals(List.of(), c.gc(GcOptions.dryRun()).collectedVersions(), "the whole history is kept by default");
      assertEquals(List.of(v.version()), c.gc(GcOptions.dryRun().keepLast(1)).collectedVersions(),
          "the last entry is the removal, which keeps nothing");
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aRollbackToAVersionTheGcIsDeletingFailsClearlyAndMovesNothing(Backend backend) throws IOException {
    open(backend);
    byte[] first = bytes(1000, 50);
    byte[] second = bytes(1000, 51);
    AssetVersion v1;
    AssetVersion v2;
    try (AssetClient c = client()) {
      v1 = c.newAsset("models").add(file("m.bin", first)).alias("prod").upload();
      v2 = c.newAsset("models").add(file("m.bin", second)).alias("prod").upload();
    }
    storage.ageAll(OLD);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    // keep-last 1 dooms v1; its plan is recorded and the gc is about to delete when the rollback
    // starts. Without the move's lease, the alias would end up at a collected manifest.
    Hook hook = new Hook(storage, "index/", () -> {
      try (AssetClient up = client()) {
        up.setAlias("models", "prod", v1, AliasExpectation.any());
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    try (AssetClient c = client(hook)) {
      assertEquals(List.of(v1.version()), c.gc(GcOptions.dryRun().deleting().keepLast(1)).collectedVersions());
    }
    assertTrue(failure.get() instanceof StoreException, "the rollback fails clearly: " + failure.get());
    assertTrue(failure.get().getMessage().contains("this alias move"), failure.get().getMessage());
    try (AssetClient c = client()) {
      assertEquals(v2, c.version("models", "prod"), "the failed rollback moved nothing");
    }
    assertConsistent("after a rollback raced the deletions");
  }

  @Test
  void aStoreReportingEpochZeroTimesIsRefusedAndNothingIsDeleted() throws IOException {
    open(Backend.MEMORY);
    try (AssetClient c = client()) {
      c.newAsset("models").add(file("young.bin", bytes(100, 50))).upload();
    }
    storage.reportTimes(t -> Instant.EPOCH, t -> Instant.EPOCH);
    TreeMap<String, Long> before = keys();
    try (AssetClient c = client()) {
      StoreException e = assertThrows(StoreException.class, () -> c.gc(GcOptions.dryRun().deleting()));
      assertTrue(e.getMessage().contains("1970-01-01T00:00:00Z") && e.getMessage().contains("deleted nothing"),
          e.getMessage());
    }
    assertEquals(before, keys());
  }

  @Test
  void aStoreThatCannotReportModificationTimesIsRefusedAndNothingIsDeleted() throws IOException {
    open(Backend.MEMORY);
    try (AssetClient c = client()) {
      c.newAsset("models").add(file("young.bin", bytes(100, 55))).upload();
    }
    TreeMap<String, Long> before = keys();
    Storage timeless = new ForwardingStorage(storage) {
      @Override
      public java.util.Set<dev.ama.spi.StorageCapability> capabilities() {
        return java.util.EnumSet.of(dev.ama.spi.StorageCapability.WRITE, dev.ama.spi.StorageCapability.LIST);
      }
    };
    try (AssetClient c = AssetClient.builder().newStoreFormat(1).storage(timeless).user("t").cache(tmp.resolve("c-timeless")).build()) {
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> c.gc(GcOptions.dryRun().deleting()));
      assertTrue(e.getMessage().contains("MODIFICATION_TIMES") && e.getMessage().contains("deleted nothing")
          && e.getMessage().contains(storage.location()), e.getMessage());
    }
    assertEquals(before, keys());
  }

  @Test
  void aStoreWhoseListingsReportOtherTimesThanStatIsRefused() throws IOException {
    open(Backend.MEMORY);
    try (AssetClient c = client()) {
      c.newAsset("models").add(file("young.bin", bytes(100, 51))).upload();
    }
    storage.reportTimes(t -> t.plus(Duration.ofDays(365)), t -> t);
    try (AssetClient c = client()) {
      StoreException e = assertThrows(StoreException.class, () -> c.gc(GcOptions.dryRun().deleting()));
      assertTrue(e.getMessage().contains("in listings"), e.getMessage());
    }
  }

  @Test
  void aStoreClockAheadOfThisMachineIsUsedConsistentlyAndSaidSo() throws IOException {
    open(Backend.MEMORY);
    try (AssetClient c = client()) {
      c.newAsset("models").add(file("old.bin", bytes(100, 52))).upload();
      storage.ageAll(OLD);
      c.newAsset("models").add(file("young.bin", bytes(100, 53))).upload();
    }
    storage.reportTimes(t -> t.plus(Duration.ofDays(365)), t -> t.plus(Duration.ofDays(365)));
    try (AssetClient c = client()) {
      GcReport r = c.gc(GcOptions.dryRun().deleting());
      assertEquals(1, r.collectable().manifests(), "only the old orphan: the young one is young by the store's clock");
      assertTrue(r.notes().stream().anyMatch(n -> n.contains("clock differs")), r.notes().toString());
    }
  }

  @Test
  void aClientClockFarAheadDoesNotMakeYoungObjectsOld() throws IOException {
    open(Backend.MEMORY);
    try (AssetClient c = client()) {
      c.newAsset("models").add(file("young.bin", bytes(100, 54))).upload();
    }
    java.time.Clock ahead = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofDays(30));
    try (AssetClient c = AssetClient.builder().newStoreFormat(1).storage(storage).user("t").cache(tmp.resolve("c-ahead")).clock(ahead).build()) {
      GcReport r = c.gc(GcOptions.dryRun().deleting());
      assertEquals(0, r.collectable().manifests() + r.collectable().blobs());
      assertTrue(r.notes().stream().anyMatch(n -> n.contains("clock differs")), r.notes().toString());
    }
  }
}
