package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.storage.InMemoryStorage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransferEngineTest {
  @TempDir Path tmp;

  /** Records what a transfer reported, per phase. */
  static final class Recorder implements TransferListener {
    final Map<Phase, AtomicLong> bytes = new ConcurrentHashMap<>();
    final List<String> skipped = new CopyOnWriteArrayList<>();
    final List<String> done = new CopyOnWriteArrayList<>();

    @Override
    public void transferred(Phase phase, long n) {
      bytes.computeIfAbsent(phase, p -> new AtomicLong()).addAndGet(n);
    }

    @Override
    public void fileDone(Phase phase, String path, boolean wasSkipped) {
      (wasSkipped ? skipped : done).add(phase + " " + path);
    }

    long bytes(Phase p) {
      return bytes.getOrDefault(p, new AtomicLong()).get();
    }
  }

  private AssetClient client(InMemoryStorage storage, TransferListener listener, TransferSettings settings) {
    return AssetClient.builder().storage(storage).user("t").cache(tmp.resolve("cache"))
        .listener(listener).transfers(settings).build();
  }

  private static Path aged(Path p) throws IOException {
    Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(60)));
    return p;
  }

  @Test
  void unchangedFilesAreNotHashedAgain() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    Path a = aged(Files.writeString(tmp.resolve("a.yml"), "a: 1"));
    Path b = aged(Files.writeString(tmp.resolve("b.yml"), "b: 2"));
    try (AssetClient first = client(storage, TransferListener.NONE, TransferSettings.DEFAULTS)) {
      first.newAsset("cfg").add(a, b).alias("x").upload();
    }
    Recorder r = new Recorder();
    try (AssetClient second = client(storage, r, TransferSettings.DEFAULTS)) {
      second.newAsset("cfg").add(a, b).alias("x").upload();
    }
    assertEquals(List.of(), r.done);
    assertEquals(2, r.skipped.stream().filter(s -> s.startsWith("HASHING")).count());
  }

  @Test
  void aChangedFileIsHashedAgainEvenWithTheSameSize() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    Path a = aged(Files.writeString(tmp.resolve("a.yml"), "a: 1"));
    AssetVersion one;
    try (AssetClient c = client(storage, TransferListener.NONE, TransferSettings.DEFAULTS)) {
      one = c.newAsset("cfg").add(a).alias("x").upload();
    }
    Files.writeString(a, "a: 2");
    Files.setLastModifiedTime(a, FileTime.from(Instant.now().minusSeconds(30)));
    try (AssetClient c = client(storage, TransferListener.NONE, TransferSettings.DEFAULTS)) {
      AssetVersion two = c.newAsset("cfg").add(a).alias("x").upload();
      assertNotEquals(one, two);
      assertEquals(Digest.sha256("a: 2".getBytes()), two.files().get(0).digest());
    }
  }

  @Test
  void aFileWrittenJustBeforeHashingIsNotRemembered() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    Path fresh = Files.writeString(tmp.resolve("fresh.yml"), "x: 1");
    try (AssetClient c = client(storage, TransferListener.NONE, TransferSettings.DEFAULTS)) {
      c.newAsset("cfg").add(fresh).alias("x").upload();
    }
    Recorder r = new Recorder();
    try (AssetClient c = client(storage, r, TransferSettings.DEFAULTS)) {
      c.newAsset("cfg").add(fresh).alias("x").upload();
    }
    assertEquals(List.of("HASHING fresh.yml"), r.done);
  }

  @Test
  void largeBlobsDownloadInParallelRangesByteExact() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    byte[] big = new byte[5 * 1024 * 1024 + 123];
    new Random(1).nextBytes(big);
    Path f = Files.write(tmp.resolve("model.h5"), big);
    TransferSettings small = new TransferSettings(4, 64 * 1024, 3);
    Recorder r = new Recorder();
    try (AssetClient c = client(storage, r, small)) {
      c.newAsset("rnn_models").add(f).alias("m").upload();
      Path out = c.download("rnn_models", "m").to(tmp.resolve("out"));
      assertArrayEquals(big, Files.readAllBytes(out.resolve("model.h5")));
      assertArrayEquals(big, Files.readAllBytes(c.load("rnn_models", "m").file("model.h5")));
    }
    assertEquals(big.length, r.bytes(TransferListener.Phase.UPLOADING));
    assertEquals(2L * big.length, r.bytes(TransferListener.Phase.DOWNLOADING));
  }

  @Test
  void aCorruptLargeBlobIsCaughtAcrossRanges() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    byte[] big = new byte[1024 * 1024];
    new Random(2).nextBytes(big);
    Path f = Files.write(tmp.resolve("model.h5"), big);
    try (AssetClient c = client(storage, TransferListener.NONE, new TransferSettings(4, 64 * 1024, 4))) {
      AssetVersion v = c.newAsset("rnn_models").add(f).alias("m").upload();
      byte[] evil = big.clone();
      evil[700_000] ^= 1;
      String key = Store.blobKey(v.files().get(0).digest());
      storage.delete(key);
      storage.putIfAbsent(key, Content.ofBytes(evil));

      assertThrows(IntegrityException.class, () -> c.download("rnn_models", "m").to(tmp.resolve("out")));
      assertFalse(Files.exists(tmp.resolve("out/model.h5")));
    }
  }

  @Test
  void theSecondDownloadIsServedFromTheCacheAfterALoad() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    Path f = Files.writeString(tmp.resolve("model.h5"), "weights");
    try (AssetClient c = client(storage, TransferListener.NONE, TransferSettings.DEFAULTS)) {
      AssetVersion v = c.newAsset("rnn_models").add(f).alias("m").upload();
      c.load("rnn_models", "m");
      storage.delete(Store.blobKey(v.files().get(0).digest()));

      Path out = c.download("rnn_models", "m").to(tmp.resolve("out"));

      assertEquals("weights", Files.readString(out.resolve("model.h5")));
    }
  }

  @Test
  void rangesComeBackInOrderWithBoundedPartsInFlight() throws IOException {
    byte[] data = new byte[1_000_003];
    new Random(3).nextBytes(data);
    AtomicInteger open = new AtomicInteger();
    AtomicInteger maxOpen = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (InputStream in = new ParallelRangeInputStream((off, len) -> {
          maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
          try {
            return new ByteArrayInputStream(data, (int) off, (int) len);
          } finally {
            open.decrementAndGet();
          }
        }, data.length, 10_000, 3, pool, new java.util.concurrent.Semaphore(100))) {
      assertArrayEquals(data, in.readAllBytes());
    } finally {
      pool.shutdownNow();
    }
    assertTrue(maxOpen.get() <= 3, "at most 3 ranges in flight, saw " + maxOpen.get());
  }

  @Test
  void skippedFilesStillCountTheirBytesSoProgressReachesTheTotal() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    Path f = Files.writeString(tmp.resolve("model.h5"), "weights");
    try (AssetClient c = client(storage, TransferListener.NONE, TransferSettings.DEFAULTS)) {
      c.newAsset("rnn_models").add(f).alias("m").upload();
      c.download("rnn_models", "m").to(tmp.resolve("out"));
    }
    Recorder r = new Recorder();
    try (AssetClient c = client(storage, r, TransferSettings.DEFAULTS)) {
      c.newAsset("rnn_models").add(f).alias("other").upload();
      c.download("rnn_models", "m").to(tmp.resolve("out"));
    }
    assertEquals(Files.size(f), r.bytes(TransferListener.Phase.DOWNLOADING));
    assertEquals(Files.size(f), r.bytes(TransferListener.Phase.HASHING));
    assertTrue(r.skipped.contains("DOWNLOADING model.h5"), r.skipped.toString());
  }

  @Test
  void streamsSharingFewPermitsAllFinishAndKeepPartsInFlightWithinThem() throws Exception {
    byte[] data = new byte[400_000];
    new Random(5).nextBytes(data);
    java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(2);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    ExecutorService readers = Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<byte[]>> results = new java.util.ArrayList<>();
      for (int r = 0; r < 4; r++) {
        results.add(readers.submit(() -> {
          try (InputStream in = new ParallelRangeInputStream((off, len) -> {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                  Thread.sleep(1);
                  return new ByteArrayInputStream(data, (int) off, (int) len);
                } catch (InterruptedException e) {
                  throw new java.io.InterruptedIOException();
                } finally {
                  inFlight.decrementAndGet();
                }
              }, data.length, 10_000, 4, pool, permits)) {
            return in.readAllBytes();
          }
        }));
      }
      for (java.util.concurrent.Future<byte[]> f : results) {
        assertArrayEquals(data, f.get(30, java.util.concurrent.TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
      readers.shutdownNow();
    }
    assertTrue(maxInFlight.get() <= 2, "parts in flight across streams: " + maxInFlight.get());
    assertEquals(2, permits.availablePermits());
  }

  @Test
  void aCachedBlobEditedInPlaceIsNotCopiedIntoADownload() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    Path f = Files.writeString(tmp.resolve("small.txt"), "hello world");
    try (AssetClient c = client(storage, TransferListener.NONE, TransferSettings.DEFAULTS)) {
      c.newAsset("cfg").add(f).alias("x").upload();
      Path loaded = c.load("cfg", "x").file("small.txt");
      loaded.toFile().setWritable(true);
      Files.writeString(loaded, "HELLO WORLD");

      Path out = c.download("cfg", "x").to(tmp.resolve("out"));

      assertEquals("hello world", Files.readString(out.resolve("small.txt")));
    }
  }

  @Test
  void concurrentLoadsOfOneVersionNeverRemoveEachOthersFiles() throws Exception {
    InMemoryStorage storage = new InMemoryStorage();
    Path dir = Files.createDirectories(tmp.resolve("many"));
    for (int i = 0; i < 50; i++) {
      Files.writeString(dir.resolve("f" + i + ".txt"), "file " + i);
    }
    try (AssetClient up = client(storage, TransferListener.NONE, TransferSettings.DEFAULTS)) {
      up.newAsset("cfg").add(dir).alias("x").upload();
    }
    for (int round = 0; round < 5; round++) {
      Path cache = tmp.resolve("shared-cache-" + round);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<Path>> dirs = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
          dirs.add(pool.submit(() -> {
            try (AssetClient c = AssetClient.builder().storage(storage).user("t").cache(cache).build()) {
              return c.load("cfg", "x").dir();
            }
          }));
        }
        for (java.util.concurrent.Future<Path> d : dirs) {
          Path loaded = d.get(60, java.util.concurrent.TimeUnit.SECONDS);
          for (int i = 0; i < 50; i++) {
            assertEquals("file " + i, Files.readString(loaded.resolve("many/f" + i + ".txt")));
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
