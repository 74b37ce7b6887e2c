package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a download of a format 2 store spreads its packs over the transfer threads. */
class PackedDownloadRangesTest {
  @TempDir Path tmp;

  @Test
  void fewerPacksThanThreadsAreReadInAboutOneRangePerThread() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    Random random = new Random(5);
    byte[] bytes = new byte[64 << 10];
    for (int i = 0; i < 500; i++) {
      random.nextBytes(bytes);
      Files.write(dir.resolve(String.format("f%05d.bin", i)), bytes);
    }
    PackedStoreTest.Counting counting = new PackedStoreTest.Counting(new FileSystemStorage(tmp.resolve("store")));
    try (AssetClient c = client(counting)) {
      c.newAsset("datasets").add(dir).alias("train").upload();
    }
    assertEquals(4, counting.count("create packs/"), "31 MiB in packs of at most 8 MiB");
    counting.reset();
    Path out = tmp.resolve("out");
    try (AssetClient c = client(counting)) {
      c.download("datasets", "train").to(out);
    }
    long packReads = counting.ranged.keySet().stream().filter(k -> k.startsWith("packs/")).count();
    assertTrue(packReads >= 14 && packReads <= 18, "4 packs over 16 threads should be read in about 16 ranges, not "
        + packReads + ": " + counting.ranged);
    long bytesRead = counting.ranged.entrySet().stream().filter(e -> e.getKey().startsWith("packs/"))
        .mapToLong(Map.Entry::getValue).sum();
    assertEquals(500L * bytes.length, bytesRead, "the ranges cover the blobs once, without overlap");
    Path placed = Files.isDirectory(out.resolve("data")) ? out.resolve("data") : out;
    for (int i = 0; i < 500; i++) {
      String name = String.format("f%05d.bin", i);
      assertArrayEquals(Files.readAllBytes(dir.resolve(name)), Files.readAllBytes(placed.resolve(name)), name);
    }
  }

  @Test
  void aPartialDownloadFromPacksReportsEveryFileAndOnlyTheirBytes() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    Random random = new Random(6);
    byte[] bytes = new byte[10_000];
    for (int i = 0; i < 40; i++) {
      random.nextBytes(bytes);
      Files.write(dir.resolve(String.format("f%05d.bin", i)), bytes);
    }
    PackedStoreTest.Counting counting = new PackedStoreTest.Counting(new FileSystemStorage(tmp.resolve("store")));
    try (AssetClient c = client(counting)) {
      AssetUpload up = c.newAsset("datasets");
      for (int i = 0; i < 40; i++) {
        up.add(dir.resolve(String.format("f%05d.bin", i)));
      }
      up.alias("train").upload();
    }
    java.util.concurrent.atomic.AtomicLong announced = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong moved = new java.util.concurrent.atomic.AtomicLong();
    java.util.Set<String> done = java.util.concurrent.ConcurrentHashMap.newKeySet();
    TransferListener progress = new TransferListener() {
      @Override
      public void started(Phase phase, int files, long size) {
        if (phase == Phase.DOWNLOADING) {
          announced.set(files);
        }
      }

      @Override
      public void transferred(Phase phase, long n) {
        if (phase == Phase.DOWNLOADING) {
          moved.addAndGet(n);
        }
      }

      @Override
      public void fileDone(Phase phase, String path, boolean skipped) {
        if (phase == Phase.DOWNLOADING) {
          done.add(path);
        }
      }
    };
    try (AssetClient c = AssetClient.builder().storage(counting).user("alice").listener(progress)
        .cache(tmp.resolve("cache-progress")).build()) {
      // Every other file: the ranges read through the gaps between them, which are no progress.
      c.download("datasets", "train").include("f000*0.bin", "f000*2.bin", "f000*4.bin", "f000*6.bin", "f000*8.bin")
          .to(tmp.resolve("out"));
    }
    assertEquals(20, announced.get(), "every file to write is announced");
    assertEquals(20, done.size(), "every file written is reported: " + done);
    assertEquals(20L * bytes.length, moved.get(), "the bytes of the files, not of the gaps between them");
  }

  @Test
  void packsAreSplitOnlyWhenThereAreFewerThanThreads() {
    long pack = 8L << 20;
    assertEquals(pack, Transfers.rangeTarget(pack, 16, 16), "as many packs as threads: one range each");
    assertEquals(pack, Transfers.rangeTarget(pack, 40, 16));
    assertEquals(pack / 4, Transfers.rangeTarget(pack, 4, 16), "4 packs over 16 threads: 4 ranges each");
    assertEquals(pack / 4, Transfers.rangeTarget(pack, 5, 16), "5 packs over 16 threads: 4 ranges each, rounded up");
    assertEquals(Transfers.COALESCE_MIN, Transfers.rangeTarget(100 << 10, 1, 16), "never below 1 MiB a request");
  }

  private AssetClient client(PackedStoreTest.Counting storage) {
    return AssetClient.builder().storage(storage).user("alice").newStoreFormat(2)
        .cache(tmp.resolve("cache-" + System.nanoTime())).build();
  }
}
