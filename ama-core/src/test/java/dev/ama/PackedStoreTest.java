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
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store format 2: small files in packs, one upload record per version, the compacted content table. */
class PackedStoreTest {
  private static final String TYPE = "datasets";
  @TempDir Path tmp;
  private Path storeDir;
  private Counting counting;

  @BeforeEach
  void setUp() {
    storeDir = tmp.resolve("store");
    counting = new Counting(new FileSystemStorage(storeDir));
  }

  private AssetClient client() {
    return AssetClient.builder().storage(counting).user("alice").newStoreFormat(2)
        .cache(tmp.resolve("cache-" + System.nanoTime())).build();
  }

  /** {@code n} files of {@code size} bytes each, different content in each. */
  private Path folder(String name, int n, int size, long seed) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Random random = new Random(seed);
    byte[] bytes = new byte[size];
    for (int i = 0; i < n; i++) {
      random.nextBytes(bytes);
      Files.write(dir.resolve(String.format("f%05d.bin", i)), bytes);
    }
    return dir;
  }

  private static AssetUpload addAll(AssetUpload upload, Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        upload.add(f);
      }
    }
    return upload;
  }

  private List<String> keys(String prefix) throws IOException {
    try (Stream<ObjectInfo> s = new FileSystemStorage(storeDir).list(prefix)) {
      return s.map(ObjectInfo::key).toList();
    }
  }

  @Test
  void aNewStoreRecordsFormatTwoInItsMarker() throws IOException {
    try (AssetClient c = client()) {
      c.newAsset(TYPE).add(Files.writeString(tmp.resolve("a.txt"), "a")).alias("d").upload();
    }
    assertEquals("{\"format\":\"ama-store\",\"version\":2}", Files.readString(storeDir.resolve("ama-store.json")));
    assertEquals(1, keys("packs/").size());
    assertEquals(List.of(), keys("blobs/"), "a small blob is packed, not loose");
    assertEquals(List.of(), keys("index/blobs/"), "no marker per blob");
  }

  @Test
  void twoThousandSmallFilesUploadInFortyRequestsAndDownloadInAFewPerPack() throws IOException {
    Path dir = folder("data", 2000, 64 << 10, 1);
    AssetVersion v;
    try (AssetClient c = client()) {
      counting.reset();
      v = addAll(c.newAsset(TYPE), dir).alias("train").upload();
      long requests = counting.total();
      assertTrue(requests <= 40, "first upload of 2,000 × 64 KiB took " + requests + " requests: " + counting.counts);
    }
    int packs = keys("packs/").size();
    assertEquals(16, packs, "125 MiB in packs of at most 8 MiB");
    counting.reset();
    Path out = tmp.resolve("out");
    try (AssetClient c = client()) {
      c.download(TYPE, "train").to(out);
    }
    long requests = counting.total();
    assertTrue(requests <= packs + 7, "download took " + requests + " requests for " + packs + " packs: " + counting.counts);
    for (AssetFile f : v.files()) {
      assertArrayEquals(Files.readAllBytes(dir.resolve(f.path())), Files.readAllBytes(out.resolve(f.path())), f.path());
    }
  }

  @Test
  void aNewVersionChangingOneOfTwoThousandFilesCostsAFewRequests() throws IOException {
    Path dir = folder("data", 2000, 4 << 10, 2);
    try (AssetClient c = client()) {
      addAll(c.newAsset(TYPE), dir).alias("train").upload();
    }
    Files.writeString(dir.resolve("f00042.bin"), "changed");
    try (AssetClient c = client()) {
      counting.reset();
      AssetVersion v2 = addAll(c.newAsset(TYPE), dir).alias("train").upload();
      long requests = counting.total();
      // 19: format marker 1; alias head 3 (HEAD hint, the hinted entry, the probe past it); the
      // previous manifest and its record 2; identical content listing 1; lease 3 (write, its time,
      // the plans); pack check 1; writes 8 (pack, record, manifest, version, content and target
      // markers, alias entry, HEAD hint). The goal is 10; docs/store-format.md says what each one protects.
      assertTrue(requests <= 19, "a new version with one file changed took " + requests + " requests: " + counting.counts);
      assertEquals(1, counting.count("create packs/"), "only the changed file is sent, in one pack");
      Path out = tmp.resolve("out");
      c.download(TYPE, "train").to(out);
      assertEquals("changed", Files.readString(out.resolve("f00042.bin")));
      assertEquals(2000, v2.files().size());
    }
  }

  @Test
  void aNewVersionSendsAgainTheFilesWhosePackWentMissing() throws IOException {
    Path dir = folder("data", 5, 1000, 8);
    try (AssetClient c = client()) {
      addAll(c.newAsset(TYPE), dir).alias("train").upload();
    }
    Path pack = storeDir.resolve(keys("packs/").get(0));
    Files.delete(pack);
    Files.writeString(dir.resolve("f00000.bin"), "changed");
    try (AssetClient c = client()) {
      addAll(c.newAsset(TYPE), dir).alias("train").upload();
      Path out = c.download(TYPE, "train").to(tmp.resolve("out"));
      assertArrayEquals(Files.readAllBytes(dir.resolve("f00004.bin")), Files.readAllBytes(out.resolve("f00004.bin")));
    }
  }

  @Test
  void aDownloadOfAFewFilesOfABigPackReadsOnlyTheirRanges() throws IOException {
    Path dir = folder("data", 100, 64 << 10, 3);
    try (AssetClient c = client()) {
      addAll(c.newAsset(TYPE), dir).alias("train").upload();
      counting.reset();
      c.download(TYPE, "train").include("f00010.bin", "f00090.bin").to(tmp.resolve("out"));
    }
    assertEquals(2, counting.ranged.size(), counting.ranged.toString());
    assertTrue(counting.ranged.values().stream().allMatch(len -> len == 64 << 10), counting.ranged.toString());
  }

  @Test
  void aDamagedPackIsAnIntegrityErrorNamingThePackAndTheBlob() throws IOException {
    Path dir = folder("data", 3, 1000, 4);
    try (AssetClient c = client()) {
      addAll(c.newAsset(TYPE), dir).alias("train").upload();
    }
    Path pack = storeDir.resolve(keys("packs/").get(0));
    byte[] bytes = Files.readAllBytes(pack);
    bytes[1500] ^= 1;
    pack.toFile().setWritable(true);
    Files.write(pack, bytes);
    try (AssetClient c = client()) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> c.download(TYPE, "train").to(tmp.resolve("out")));
      assertTrue(e.getMessage().contains(keys("packs/").get(0)) && e.getMessage().contains("f00001.bin"), e.getMessage());
      assertFalse(Files.exists(tmp.resolve("out/f00001.bin")), "nothing damaged under its final name");
    }
  }

  @Test
  void findByContentReadsTheCompactedTableAndTheRecordsWrittenSince() throws IOException {
    Path shared = Files.writeString(tmp.resolve("model.yml"), "layers: 2\n");
    List<Digest> holders = new ArrayList<>();
    try (AssetClient c = client()) {
      for (int i = 0; i < 5; i++) {
        holders.add(c.newAsset(TYPE).add(shared).add(Files.writeString(tmp.resolve("w" + i), "w" + i)).alias("m" + i)
            .upload().version());
      }
      assertEquals(5, c.find(shared).size());
      AssetClient.IndexCompaction first = c.compactIndex();
      assertTrue(first.committed() && first.generation() == 1 && first.recordsMerged() == 5, first.toString());
      holders.add(c.newAsset(TYPE).add(shared).add(Files.writeString(tmp.resolve("w5"), "w5")).alias("m5").upload().version());
    }
    try (AssetClient c = client()) {
      counting.reset();
      List<Digest> found = c.find(shared).stream().map(m -> m.version().version()).sorted().toList();
      assertEquals(holders.stream().sorted().toList(), found);
      assertEquals(1, counting.count("open index/tables/"), "one shard read: " + counting.counts);
      assertEquals(6, counting.count("open manifests/"), "no more manifests read than found: " + counting.counts);
      assertTrue(counting.count("open index/uploads/") <= 6, "records since the cut only: " + counting.counts);
      AssetClient.IndexCompaction second = c.compactIndex();
      assertEquals(2, second.generation());
      assertEquals(6, c.find(shared).size());
    }
  }

  @Test
  void uploadsRacingACompactionAreAllFoundByContent() throws Exception {
    Path shared = Files.writeString(tmp.resolve("shared.txt"), "shared");
    List<Digest> uploaded = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (AssetClient c = client()) {
      c.newAsset(TYPE).add(shared).alias("first").upload();
      List<Future<Digest>> uploads = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        int n = i;
        uploads.add(pool.submit(() -> c.newAsset(TYPE).add(shared)
            .add(Files.writeString(tmp.resolve("own" + n), "own" + n)).alias("a" + n).upload().version()));
        if (i % 6 == 0) {
          pool.submit(c::compactIndex);
        }
      }
      for (Future<Digest> f : uploads) {
        uploaded.add(f.get());
      }
      pool.submit(c::compactIndex).get();
    } finally {
      pool.shutdown();
    }
    try (AssetClient c = client()) {
      List<Digest> found = c.find(shared).stream().map(m -> m.version().version()).toList();
      assertTrue(found.containsAll(uploaded), "every upload racing compactions is found: " + found.size());
      assertEquals(25, found.size());
    }
  }

  @Test
  void aCompactionKilledBeforeItsCommitLeavesTheStoreReadingAsBefore() throws IOException {
    Path shared = Files.writeString(tmp.resolve("shared.txt"), "shared");
    try (AssetClient c = client()) {
      for (int i = 0; i < 3; i++) {
        c.newAsset(TYPE).add(shared).add(Files.writeString(tmp.resolve("o" + i), "o" + i)).alias("a" + i).upload();
      }
      c.compactIndex();
    }
    // A compaction that died after writing its shards: a generation without a commit.
    Files.createDirectories(storeDir.resolve("index/tables/0000000002"));
    Files.writeString(storeDir.resolve("index/tables/0000000002/all.json"), "{\"blobs\":[]}");
    try (AssetClient c = client()) {
      assertEquals(3, c.find(shared).size());
      assertEquals(2, c.compactIndex().generation(), "the next compaction takes the generation over");
      assertEquals(3, c.find(shared).size());
    }
  }

  @Test
  void identicalContentUnderAnotherAliasIsTheSameVersion() throws IOException {
    Path dir = folder("data", 10, 100, 5);
    try (AssetClient c = client()) {
      AssetVersion a = addAll(c.newAsset(TYPE), dir).alias("a").upload();
      AssetVersion b = addAll(c.newAsset(TYPE), dir).alias("b").upload();
      assertEquals(a.version(), b.version());
      assertEquals(1, keys("packs/").size());
    }
  }

  @Test
  void aDiffReadsParameterFilesOutOfPacks() throws IOException {
    Path yml = tmp.resolve("training.yml");
    try (AssetClient c = client()) {
      AssetVersion a = c.newAsset(TYPE).add(Files.writeString(yml, "lr: 0.001\n")).alias("t").upload();
      AssetVersion b = c.newAsset(TYPE).add(Files.writeString(yml, "lr: 0.0005\n")).alias("t").upload();
      AssetDiff d;
      try (AssetClient fresh = client()) {
        d = fresh.diff(a, b);
      }
      assertEquals("lr", d.changed().get(0).parameters().get(0).key());
      assertEquals(Optional.of("0.0005"), d.changed().get(0).parameters().get(0).after());
    }
  }

  @Test
  void largeFilesStayLooseObjects() throws IOException {
    byte[] big = new byte[(int) Packs.SMALL_BLOB + 1];
    new Random(6).nextBytes(big);
    Path file = Files.write(tmp.resolve("model.h5"), big);
    try (AssetClient c = client()) {
      c.newAsset(TYPE).add(file).add(Files.writeString(tmp.resolve("model.yml"), "x")).alias("m").upload();
      assertArrayEquals(big, Files.readAllBytes(c.load(TYPE, "m").file("model.h5")));
    }
    assertEquals(1, keys("blobs/").size());
    assertEquals(1, keys("packs/").size());
  }

  @Test
  void aFormatOneStoreStaysFormatOneForAClientPreferringTwo() throws IOException {
    try (AssetClient v1 = AssetClient.builder().newStoreFormat(1).storage(counting).user("bob").cache(tmp.resolve("c1")).build()) {
      v1.newAsset(TYPE).add(Files.writeString(tmp.resolve("a.txt"), "a")).alias("d").upload();
    }
    try (AssetClient c = client()) {
      c.newAsset(TYPE).add(Files.writeString(tmp.resolve("b.txt"), "b")).alias("d").upload();
      assertEquals(2, c.versions(TYPE).size());
      assertTrue(c.verify(VerifyOptions.DEFAULTS).ok());
    }
    assertEquals("{\"format\":\"ama-store\",\"version\":1}", Files.readString(storeDir.resolve("ama-store.json")));
    assertEquals(List.of(), keys("packs/"));
    assertEquals(2, keys("blobs/").size());
  }

  /** Counts requests by operation and top-level prefix, ranged reads with their lengths. */
  static final class Counting extends ForwardingStorage {
    final Map<String, Long> counts = new ConcurrentHashMap<>();
    final Map<String, Long> ranged = new ConcurrentHashMap<>();

    Counting(Storage delegate) {
      super(delegate);
    }

    void reset() {
      counts.clear();
      ranged.clear();
    }

    long total() {
      return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    long count(String what) {
      return counts.getOrDefault(what, 0L);
    }

    private void count(String op, String key) {
      String[] parts = key.split("/", 3);
      String prefix = parts.length == 1 ? key : parts[0] + "/" + (parts[0].equals("index") && parts.length > 2 ? parts[1] + "/" : "");
      counts.merge(op + " " + prefix, 1L, Long::sum);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
      count("stat", key);
      return super.stat(key);
    }

    @Override
    public InputStream open(String key) throws IOException {
      count("open", key);
      return super.open(key);
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
      count("open", key);
      ranged.put(key + "@" + offset, length);
      return super.open(key, offset, length);
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
      count("list", prefix);
      return super.list(prefix, startAfter);
    }

    @Override
    public PutOutcome putIfAbsent(String key, Content content) throws IOException {
      count("create", key);
      return super.putIfAbsent(key, content);
    }

    @Override
    public void put(String key, Content content) throws IOException {
      count("put", key);
      super.put(key, content);
    }

    @Override
    public boolean delete(String key) throws IOException {
      count("delete", key);
      return super.delete(key);
    }
  }
}
