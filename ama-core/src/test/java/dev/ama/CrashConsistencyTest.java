package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import dev.ama.storage.InMemoryStorage;
import dev.ama.testing.FaultInjectingStorage;
import dev.ama.testing.FaultInjectingStorage.Fault;
import dev.ama.testing.StoreChecker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A writer that dies between any two of its writes must leave a store that is consistent (no
 * alias pointing at anything incomplete, no index marker pointing at nothing, no partial object),
 * and running the same upload again must complete it.
 *
 * <p>The upload under test has a large file, two files with the same content, a file in a
 * sub-folder and a ref to another version, so it writes every kind of object: blobs, a manifest,
 * each kind of index marker, an alias log entry and the alias's HEAD hint.
 */
class CrashConsistencyTest {
  private static final String TYPE = "rnn_models";
  private static final String ALIAS = "my_model";
  private static final String BASE_TYPE = "training_params";
  private static final String BASE_ALIAS = "my_training_inputs";
  private static final String HEAD_KEY = "aliases/" + TYPE + "/" + ALIAS + "/HEAD";
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

  enum Backend { MEMORY, FILESYSTEM }

  @TempDir Path tmp;
  private Path src;
  private int stores;

  @BeforeEach
  void writeSourceFiles() throws IOException {
    src = Files.createDirectories(tmp.resolve("src"));
    byte[] model = new byte[300 * 1024];
    new Random(42).nextBytes(model);
    Files.write(src.resolve("model.bin"), model);
    Files.writeString(src.resolve("config.yml"), "learning_rate: 0.001\nlayers: 3\n");
    Files.writeString(src.resolve("config-copy.yml"), "learning_rate: 0.001\nlayers: 3\n");
    Files.writeString(Files.createDirectories(src.resolve("notes")).resolve("readme.txt"), "trained on the inputs\n");
    Files.writeString(src.resolve("params.yml"), "dataset: corpus-v2\n");
  }

  static Stream<Arguments> crashes() {
    List<Arguments> out = new ArrayList<>();
    for (Backend b : Backend.values()) {
      out.add(Arguments.of(b, Fault.BEFORE_WRITE, 1));
      out.add(Arguments.of(b, Fault.MID_CONTENT, 1));
      // Blobs and index markers are written in parallel; a crash then hits some writes in flight.
      out.add(Arguments.of(b, Fault.BEFORE_WRITE, 8));
    }
    // A write that completes unbeknown to the writer exercises the client, not the backend, so
    // memory suffices; every filesystem write costs an fsync.
    out.add(Arguments.of(Backend.MEMORY, Fault.AFTER_WRITE, 1));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}, fault {1}, {2} transfer threads")
  @MethodSource("crashes")
  void crashAtEveryWriteLeavesAConsistentStoreAndARetryCompletes(Backend backend, Fault fault, int threads)
      throws Exception {
    Set<String> faultedKinds = new TreeSet<>();
    int k;
    for (k = 1; ; k++) {
      assertTrue(k <= 100, "the upload still had not completed without a fault after 100 writes");
      String context = "after a " + fault + " fault at write " + k + " (" + backend + ", " + threads + " threads)";
      Storage real = newStorage(backend);
      AssetVersion base = uploadBase(real);
      Map<String, byte[]> before = snapshot(real);

      FaultInjectingStorage faulty = FaultInjectingStorage.failingWrite(real, k, fault);
      StoreException failure = null;
      try (AssetClient crashing = client(faulty, threads)) {
        upload(crashing);
      } catch (StoreException e) {
        failure = e;
      }
      faulty.awaitIdle(IDLE_TIMEOUT);

      if (!faulty.faulted()) {
        if (failure != null) {
          throw new AssertionError("upload failed " + context + " although no fault was injected", failure);
        }
        assertTrue(faulty.writes() < k, context);
        StoreChecker.check(real).assertConsistent(context);
        break;
      }
      String faultedKey = faulty.faultedKey().orElseThrow();
      faultedKinds.add(kind(faultedKey));
      context += " on " + faultedKey;

      if (failure == null) {
        // The hint is the one write the upload may lose and still succeed: readers never trust it alone.
        assertEquals(HEAD_KEY, faultedKey, "the upload succeeded " + context);
      } else {
        assertTrue(failure.getMessage().contains(real.location()), "the error names the store: " + failure.getMessage());
        if (fault != Fault.AFTER_WRITE) {
          // After a fault the alias entry either was never written or was, unbeknown to the writer.
          assertEquals(Optional.empty(), aliasIn(real), "an upload that failed moved the alias " + context);
        }
      }
      StoreChecker.check(real).assertConsistent(context);
      assertCreatedObjectsUnchanged(before, real, context);
      if (fault == Fault.MID_CONTENT) {
        assertEquals(Optional.empty(), real.stat(faultedKey).map(ObjectInfo::key),
            "an object was left under " + faultedKey + " " + context);
        if (faultedKey.startsWith("blobs/")) {
          assertTrue(faulty.bytesBeforeBreak() > 0, "the stream broke before the storage read anything " + context);
        }
      }
      assertNoTemporaryFiles(real, context);
      assertQueriesWork(real, context);

      AssetVersion retried;
      try (AssetClient plain = client(real, threads)) {
        retried = upload(plain);
        assertEquals(retried.version(), plain.version(TYPE, ALIAS).version(), "alias after the retry " + context);
        assertEquals(1, plain.history(TYPE, ALIAS).size(),
            "the alias moved more than once: a failed upload moved it, or the retry moved it again " + context);
        assertEquals(List.of(new Ref(BASE_TYPE, Optional.of(BASE_ALIAS), base.version())), retried.refs());
      }
      try (AssetClient reader = client(real, threads)) {
        assertDownloadsByteExact(reader, context);
      }
      StoreChecker.check(real).assertConsistent("after the retry, " + context);
    }
    if (threads == 1) {
      assertEquals(kindsOfWrites(), faultedKinds, "a crash was injected at every kind of write");
    }
    assertTrue(k > 10, "the upload made only " + (k - 1) + " writes; the test is not exercising it");
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void blobStreamBreakingHalfwayLeavesNoPartialObject(Backend backend) throws Exception {
    Storage real = newStorage(backend);
    uploadBase(real);
    byte[] big = new byte[2 * 1024 * 1024];
    new Random(7).nextBytes(big);
    Path file = Files.write(tmp.resolve("big.bin"), big);
    String blobKey = "blobs/sha256/" + Digest.sha256(big).hex().substring(0, 2) + "/" + Digest.sha256(big).hex();
    Map<String, byte[]> before = snapshot(real);

    // The store already has its format marker, so the first write is the lease, the second the blob.
    FaultInjectingStorage faulty = FaultInjectingStorage.failingWrite(real, 2, Fault.MID_CONTENT);
    try (AssetClient crashing = client(faulty, 1)) {
      StoreException e = expectStoreException(() -> crashing.newAsset(TYPE).add(file).alias(ALIAS).upload());
      assertTrue(e.getMessage().contains(blobKey), "the error names the object: " + e.getMessage());
    }
    assertEquals(Optional.of(blobKey), faulty.faultedKey());
    assertTrue(faulty.bytesBeforeBreak() >= big.length / 2,
        "the storage had read only " + faulty.bytesBeforeBreak() + " bytes when the stream broke");
    assertEquals(Optional.empty(), real.stat(blobKey), "a partial blob is visible");
    // The lease, written before the blob, stays by design: it protects for the grace period.
    Set<String> after = new TreeSet<>(snapshot(real).keySet());
    after.removeIf(k -> k.startsWith("gc/leases/") && !before.containsKey(k));
    assertEquals(new TreeSet<>(before.keySet()), after, "objects appeared although the only failed write was the blob");
    assertNoTemporaryFiles(real, "after the blob stream broke");
    StoreChecker.check(real).assertConsistent("after the blob stream broke");

    try (AssetClient plain = client(real, 1)) {
      AssetVersion v = plain.newAsset(TYPE).add(file).alias(ALIAS).upload();
      Path out = plain.download(TYPE, ALIAS).to(tmp.resolve("out"));
      assertEquals(-1, Files.mismatch(file, out.resolve("big.bin")));
      assertEquals(v.version(), plain.version(TYPE, ALIAS).version());
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aliasResolvesWhenItsHintIsNeverWritten(Backend backend) throws Exception {
    Storage real = newStorage(backend);
    FaultInjectingStorage noOverwrites = FaultInjectingStorage.failingOverwrites(real);
    List<Digest> uploaded = new ArrayList<>();
    try (AssetClient c = client(noOverwrites, 4)) {
      for (int i = 0; i < 3; i++) {
        Path f = Files.writeString(tmp.resolve("v" + i + ".txt"), "version " + i);
        uploaded.add(c.newAsset(TYPE).add(f).alias(ALIAS).upload().version());
      }
    }
    assertEquals(3, noOverwrites.overwritesRefused(), "every alias move tried to write its hint");
    assertEquals(Optional.empty(), real.stat(HEAD_KEY));
    try (AssetClient fresh = client(real, 4)) {
      assertEquals(uploaded, fresh.history(TYPE, ALIAS).stream().map(AliasEntry::version).collect(Collectors.toList()));
      assertEquals(3, fresh.alias(TYPE, ALIAS).orElseThrow().seq());
      assertEquals(uploaded.get(2), fresh.version(TYPE, ALIAS).version());
    }
    StoreChecker.check(real).assertConsistent("without alias hints");
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void staleHintIsOnlyAStartingPoint(Backend backend) throws Exception {
    Storage real = newStorage(backend);
    List<Digest> uploaded = new ArrayList<>();
    try (AssetClient plain = client(real, 4)) {
      for (int i = 0; i < 2; i++) {
        uploaded.add(plain.newAsset(TYPE).add(Files.writeString(tmp.resolve("a" + i + ".txt"), "a" + i)).alias(ALIAS)
            .upload().version());
      }
    }
    try (AssetClient hintless = client(FaultInjectingStorage.failingOverwrites(real), 4)) {
      for (int i = 0; i < 2; i++) {
        uploaded.add(hintless.newAsset(TYPE).add(Files.writeString(tmp.resolve("b" + i + ".txt"), "b" + i)).alias(ALIAS)
            .upload().version());
      }
    }
    assertEquals("2", read(real, HEAD_KEY), "the hint was left behind at entry 2");
    try (AssetClient plain = client(real, 4)) {
      AliasEntry head = plain.alias(TYPE, ALIAS).orElseThrow();
      assertEquals(4, head.seq(), "the alias resolved to the stale hint instead of the log's end");
      assertEquals(uploaded.get(3), head.version());
      // A writer starting from the stale hint must append after entry 4, not collide forever at 3.
      uploaded.add(plain.newAsset(TYPE).add(Files.writeString(tmp.resolve("c.txt"), "c")).alias(ALIAS).upload().version());
      List<AliasEntry> history = plain.history(TYPE, ALIAS);
      assertEquals(uploaded, history.stream().map(AliasEntry::version).collect(Collectors.toList()));
      assertEquals(Optional.of(uploaded.get(3)), history.get(4).previous());
    }
    assertEquals("5", read(real, HEAD_KEY));
    StoreChecker.check(real).assertConsistent("after a stale hint");
  }

  /**
   * A cloud SDK that retries a create-only write whose response was lost is told the object exists,
   * although it created it. For an alias log entry, taking that for a lost race would append the
   * same move a second time.
   */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void createRetriedAfterALostResponseIsNotTakenForALostRace(Backend backend) throws Exception {
    int k;
    for (k = 1; ; k++) {
      assertTrue(k <= 100, "the upload still had not completed without a fault after 100 writes");
      Storage real = newStorage(backend);
      uploadBase(real);
      FaultInjectingStorage faulty = FaultInjectingStorage.failingWrite(real, k, Fault.RETRIED_AFTER_LOST_RESPONSE);
      AssetVersion v;
      try (AssetClient c = client(faulty, 1)) {
        v = upload(c);
      }
      if (!faulty.faulted()) {
        break;
      }
      String context = "after the response to " + faulty.faultedKey().orElseThrow() + " was lost and the write retried";
      try (AssetClient reader = client(real, 1)) {
        List<AliasEntry> history = reader.history(TYPE, ALIAS);
        assertEquals(List.of(v.version()), history.stream().map(AliasEntry::version).collect(Collectors.toList()),
            "one upload, one alias move " + context);
        assertDownloadsByteExact(reader, context);
      }
      StoreChecker.check(real).assertConsistent(context);
    }
    assertTrue(k > 10, "the upload made only " + (k - 1) + " writes; the test is not exercising it");
  }

  // ------------------------------------------------------------------ helpers

  private Storage newStorage(Backend backend) throws IOException {
    stores++;
    return switch (backend) {
      case MEMORY -> new InMemoryStorage();
      case FILESYSTEM -> new FileSystemStorage(Files.createDirectories(tmp.resolve("store-" + stores)));
    };
  }

  /** The format of the stores the test creates; a subclass runs every test on format 2. */
  int storeFormat() {
    return 1;
  }

  /** The kinds of write a single-threaded upload makes, each of which the test crashes. */
  Set<String> kindsOfWrites() {
    return new TreeSet<>(List.of("alias entry", "alias hint", "blob", "gc lease", "index marker", "manifest"));
  }

  private AssetClient client(Storage storage, int threads) {
    return AssetClient.builder()
        .storage(storage)
        .newStoreFormat(storeFormat())
        .user("trainer")
        .cache(tmp.resolve("cache-" + (++stores)))
        .concurrency(threads)
        .build();
  }

  private AssetVersion uploadBase(Storage storage) {
    try (AssetClient c = client(storage, 1)) {
      return c.newAsset(BASE_TYPE).add(src.resolve("params.yml")).alias(BASE_ALIAS).upload();
    }
  }

  private AssetVersion upload(AssetClient client) {
    return client.newAsset(TYPE)
        .add(src.resolve("model.bin"), src.resolve("config.yml"), src.resolve("config-copy.yml"))
        .add("notes/readme.txt", src.resolve("notes").resolve("readme.txt"))
        .ref(BASE_TYPE, BASE_ALIAS)
        .alias(ALIAS)
        .description("crash test")
        .upload();
  }

  private void assertDownloadsByteExact(AssetClient client, String context) throws IOException {
    Path out = client.download(TYPE, ALIAS).withRefs().to(tmp.resolve("download-" + (++stores)));
    Map<String, Path> expected = new TreeMap<>(Map.of(
        "model.bin", src.resolve("model.bin"),
        "config.yml", src.resolve("config.yml"),
        "config-copy.yml", src.resolve("config-copy.yml"),
        "notes/readme.txt", src.resolve("notes").resolve("readme.txt"),
        "refs/" + BASE_TYPE + "/" + BASE_ALIAS + "/params.yml", src.resolve("params.yml")));
    List<String> found;
    try (Stream<Path> walk = Files.walk(out)) {
      found = walk.filter(Files::isRegularFile).map(p -> out.relativize(p).toString().replace('\\', '/')).sorted()
          .collect(Collectors.toList());
    }
    assertEquals(new ArrayList<>(expected.keySet()), found, "downloaded files " + context);
    for (Map.Entry<String, Path> e : expected.entrySet()) {
      assertEquals(-1, Files.mismatch(e.getValue(), out.resolve(e.getKey())), e.getKey() + " differs " + context);
    }
  }

  /** Reads through the client what a crash left, as a user listing the store would. */
  private void assertQueriesWork(Storage storage, String context) {
    try (AssetClient c = client(storage, 4)) {
      assertTrue(c.types().contains(BASE_TYPE), context);
      for (String type : c.types()) {
        c.versions(type);
        for (AliasEntry a : c.aliases(type)) {
          assertNotNull(c.version(a.version()), context);
        }
      }
      assertFalse(c.typesWithAlias(BASE_ALIAS).isEmpty(), context);
    }
  }

  /** Objects are create-only: whatever existed before an upload keeps its bytes. */
  private static void assertCreatedObjectsUnchanged(Map<String, byte[]> before, Storage storage, String context)
      throws IOException {
    Map<String, byte[]> after = snapshot(storage);
    for (Map.Entry<String, byte[]> e : before.entrySet()) {
      if (e.getKey().endsWith("/HEAD")) {
        continue;
      }
      assertTrue(after.containsKey(e.getKey()), e.getKey() + " disappeared " + context);
      assertEquals(-1, java.util.Arrays.mismatch(e.getValue(), after.get(e.getKey())), e.getKey() + " changed " + context);
    }
  }

  private static void assertNoTemporaryFiles(Storage storage, String context) throws IOException {
    if (storage instanceof FileSystemStorage fs && Files.isDirectory(fs.root().resolve(".ama-tmp"))) {
      try (Stream<Path> s = Files.list(fs.root().resolve(".ama-tmp"))) {
        assertEquals(List.of(), s.collect(Collectors.toList()), "temporary files left in the store " + context);
      }
    }
  }

  private static Map<String, byte[]> snapshot(Storage storage) throws IOException {
    Map<String, byte[]> out = new HashMap<>();
    List<String> keys;
    try (Stream<ObjectInfo> s = storage.list("")) {
      keys = s.map(ObjectInfo::key).collect(Collectors.toList());
    }
    for (String key : keys) {
      try (InputStream in = storage.open(key)) {
        out.put(key, in.readAllBytes());
      }
    }
    return out;
  }

  private Optional<AliasEntry> aliasIn(Storage storage) {
    try (AssetClient c = client(storage, 1)) {
      return c.alias(TYPE, ALIAS);
    }
  }

  private static String read(Storage storage, String key) throws IOException {
    try (InputStream in = storage.open(key)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
    }
  }

  private static String kind(String key) {
    if (key.startsWith("blobs/")) {
      return "blob";
    } else if (key.startsWith("packs/")) {
      return "pack";
    } else if (key.startsWith("manifests/")) {
      return "manifest";
    } else if (key.startsWith("index/")) {
      return "index marker";
    } else if (key.endsWith("/HEAD")) {
      return "alias hint";
    } else if (key.startsWith("aliases/")) {
      return "alias entry";
    } else if (key.startsWith("gc/leases/")) {
      return "gc lease";
    }
    return key;
  }

  private static StoreException expectStoreException(Runnable r) {
    try {
      r.run();
    } catch (StoreException e) {
      return e;
    }
    return fail("expected the upload to fail with a StoreException");
  }
}
