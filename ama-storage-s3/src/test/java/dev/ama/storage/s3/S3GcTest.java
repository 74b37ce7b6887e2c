package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.GcOptions;
import dev.ama.GcReport;
import dev.ama.HistoryEntry;
import dev.ama.StoreException;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection on a real S3 server (S3Proxy): retention, the dry run, a racing upload that
 * reuses an old orphan blob, and a backend whose listings report epoch 0. S3 cannot backdate an
 * object, so objects are made to look old by shifting the times this wrapper reports for them.
 */
@ExtendWith(S3ProxyExtension.class)
class S3GcTest {
  private static final Duration OLD = Duration.ofHours(48);

  /** Reports the objects present when {@link #ageAll} ran as older; can run a hook before gc's first delete. */
  static final class Shifted extends ForwardingStorage {
    final Map<String, Duration> shifts = new ConcurrentHashMap<>();
    volatile boolean epochListings;
    final AtomicReference<Runnable> beforeDelete = new AtomicReference<>();

    Shifted(Storage delegate) {
      super(delegate);
    }

    void ageAll() throws IOException {
      try (Stream<ObjectInfo> s = delegate().list("")) {
        s.forEach(o -> shifts.merge(o.key(), OLD, Duration::plus));
      }
    }

    private ObjectInfo shift(ObjectInfo o) {
      return new ObjectInfo(o.key(), o.size(), o.lastModified().minus(shifts.getOrDefault(o.key(), Duration.ZERO)));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
      return super.stat(key).map(this::shift);
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
      return super.list(prefix, startAfter).map(o -> epochListings ? new ObjectInfo(o.key(), o.size(), Instant.EPOCH) : shift(o));
    }

    @Override
    public boolean delete(String key) throws IOException {
      Runnable r = key.startsWith("index/") ? beforeDelete.getAndSet(null) : null;
      if (r != null) {
        r.run();
      }
      return super.delete(key);
    }
  }

  private static Path file(Path tmp, String dir, String name, byte[] content) throws IOException {
    return Files.write(Files.createDirectories(tmp.resolve(dir)).resolve(name), content);
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void gcOnS3KeepsWhatThePolicySaysAndRemovesTheRest(S3ProxyServer s3, @TempDir Path tmp) throws Exception {
    String bucket = s3.createBucket();
    byte[] first = bytes(40_000, 1);
    byte[] second = bytes(50_000, 2);
    try (Storage raw = Storages.open(s3.storeUri(bucket, "gc"), s3.credentials())) {
      Shifted storage = new Shifted(raw);
      AssetVersion v1;
      try (AssetClient c = AssetClient.builder().newStoreFormat(1).storage(storage).user("alice").cache(tmp.resolve("c1")).build()) {
        v1 = c.newAsset("models").add(file(tmp, "a", "model.bin", first)).alias("prod").upload();
        c.newAsset("models").add(file(tmp, "b", "model.bin", second)).alias("prod").upload();
        c.newAsset("models").add(file(tmp, "o", "orphan.bin", bytes(10, 3))).upload();
      }
      storage.ageAll();
      try (AssetClient c = AssetClient.builder().newStoreFormat(1).storage(storage).user("gc").cache(tmp.resolve("c2")).build()) {
        GcReport dry = c.gc(GcOptions.dryRun().keepLast(1));
        assertEquals(2, dry.collectable().manifests());
        assertEquals(first.length + 10, dry.collectable().blobBytes());
        assertTrue(raw.stat("manifests/sha256/" + v1.version().hex().substring(0, 2) + "/" + v1.version().hex() + ".json")
            .isPresent(), "the dry run deleted nothing");
        GcReport r = c.gc(GcOptions.dryRun().deleting().keepLast(1));
        assertEquals(2, r.collectedVersions().size());
        assertEquals(List.of(HistoryEntry.State.COLLECTED, HistoryEntry.State.STORED),
            c.historyStatus("models", "prod").stream().map(HistoryEntry::state).toList());
        Path out = c.download("models", "prod").to(tmp.resolve("out"));
        assertArrayEquals(second, Files.readAllBytes(out.resolve("model.bin")));
        assertEquals(0, c.gc(GcOptions.dryRun().deleting().keepLast(1)).collectable().manifests(), "nothing left to do");
      }
    }
  }

  @Test
  void gcOnAPackedS3StoreRepacksAHalfDeadPackAndTheKeptVersionStillDownloadsAndVerifies(S3ProxyServer s3,
      @TempDir Path tmp) throws Exception {
    String bucket = s3.createBucket();
    try (Storage raw = Storages.open(s3.storeUri(bucket, "packed"), s3.credentials())) {
      Shifted storage = new Shifted(raw);
      Path[] first = new Path[20];
      Path[] second = new Path[20];
      for (int i = 0; i < 20; i++) {
        String name = String.format("f%02d.bin", i);
        first[i] = file(tmp, "v1", name, bytes(10_240, i));
        // The second version changes half the files: the first upload's pack ends up half dead.
        second[i] = file(tmp, "v2", name, bytes(10_240, i < 10 ? 100 + i : i));
      }
      try (AssetClient c = AssetClient.builder().storage(storage).user("alice").newStoreFormat(2)
          .cache(tmp.resolve("p1")).build()) {
        c.newAsset("datasets").add(first).alias("train").upload();
        c.newAsset("datasets").add(second).alias("train").upload();
      }
      storage.ageAll();
      try (AssetClient c = AssetClient.builder().storage(storage).user("gc").cache(tmp.resolve("p2")).build()) {
        GcReport r = c.gc(GcOptions.dryRun().deleting().keepLast(1));
        assertTrue(r.complete(), r.notes().toString());
        assertEquals(1, r.collectedVersions().size());
      }
      assertEquals(1, s3.admin().listObjectsV2(b -> b.bucket(bucket).prefix("packed/index/moves/")).contents().size(),
          "the half-dead pack was repacked, its forwarding object written");
      assertEquals(2, s3.admin().listObjectsV2(b -> b.bucket(bucket).prefix("packed/packs/")).contents().size(),
          "the second upload's pack and the repacked live half of the first");
      try (AssetClient reader = AssetClient.builder().storage(raw).cache(tmp.resolve("p3")).build()) {
        Path out = reader.download("datasets", "train").to(tmp.resolve("out"));
        for (Path f : second) {
          assertEquals(-1, Files.mismatch(f, out.resolve(f.getFileName().toString())), f.toString());
        }
        assertTrue(reader.verify(dev.ama.VerifyOptions.DEFAULTS.withDeep()).ok());
      }
    }
  }

  @Test
  void anUploadReusingAnOrphanBlobWhileGcDeletesItFailsClearlyAndARetrySucceeds(S3ProxyServer s3, @TempDir Path tmp)
      throws Exception {
    String bucket = s3.createBucket();
    byte[] orphan = bytes(100_000, 4);
    try (Storage raw = Storages.open(s3.storeUri(bucket, "race"), s3.credentials())) {
      Shifted storage = new Shifted(raw);
      try (AssetClient c = AssetClient.builder().newStoreFormat(1).storage(storage).user("alice").cache(tmp.resolve("c1")).build()) {
        c.newAsset("models").add(file(tmp, "o", "orphan.bin", orphan)).upload();
      }
      storage.ageAll();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      storage.beforeDelete.set(() -> {
        try (AssetClient up = AssetClient.builder().newStoreFormat(1).storage(raw).user("bob").cache(tmp.resolve("c3")).build()) {
          up.newAsset("models").add(file(tmp, "late", "late.bin", orphan)).alias("late").upload();
        } catch (Throwable t) {
          failure.set(t);
        }
      });
      try (AssetClient c = AssetClient.builder().newStoreFormat(1).storage(storage).user("gc").cache(tmp.resolve("c2")).build()) {
        assertEquals(1, c.gc(GcOptions.dryRun().deleting()).collectable().blobs());
      }
      assertTrue(failure.get() instanceof StoreException && failure.get().getMessage().contains("garbage collection"),
          String.valueOf(failure.get()));
      try (AssetClient up = AssetClient.builder().newStoreFormat(1).storage(raw).user("bob").cache(tmp.resolve("c4")).build()) {
        assertTrue(up.alias("models", "late").isEmpty(), "the failed upload moved no alias");
        up.newAsset("models").add(file(tmp, "late2", "late.bin", orphan)).alias("late").upload();
        Path out = up.download("models", "late").to(tmp.resolve("out"));
        assertArrayEquals(orphan, Files.readAllBytes(out.resolve("late.bin")));
      }
    }
  }

  @Test
  void aBackendListingEpochZeroTimesIsRefused(S3ProxyServer s3, @TempDir Path tmp) throws Exception {
    String bucket = s3.createBucket();
    try (Storage raw = Storages.open(s3.storeUri(bucket, "epoch"), s3.credentials())) {
      Shifted storage = new Shifted(raw);
      try (AssetClient c = AssetClient.builder().newStoreFormat(1).storage(storage).user("alice").cache(tmp.resolve("c1")).build()) {
        c.newAsset("models").add(file(tmp, "o", "young.bin", bytes(10, 5))).upload();
        storage.epochListings = true;
        StoreException e = assertThrows(StoreException.class, () -> c.gc(GcOptions.dryRun().deleting()));
        assertTrue(e.getMessage().contains("deleted nothing"), e.getMessage());
        storage.epochListings = false;
        assertEquals(0, c.gc(GcOptions.dryRun().deleting()).collectable().blobs(), "the young blob is still there and young");
      }
    }
  }
}
