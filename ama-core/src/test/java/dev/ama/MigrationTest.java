package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AssetClient#migrate}: a format 1 store packed into format 2 keeps every version id, alias
 * log, ref and signature, downloads byte for byte and verifies clean, and a second run does nothing.
 */
class MigrationTest {
  @TempDir Path tmp;
  private Path storeDir;
  private SigningKey key;
  /** What each alias's current version holds, by alias, then path. */
  private final Map<String, Map<String, byte[]>> expected = new TreeMap<>();
  private int folders;

  @BeforeEach
  void buildFormat1Store() throws IOException {
    storeDir = tmp.resolve("store");
    key = SigningKey.generate("release");
    buildStore(storeDir, tmp.resolve("src"), expected, key);
  }

  /**
   * A format 1 store with small files shared across versions, a file above the pack threshold,
   * two aliases with history, a ref, a signed version and a version no alias names.
   */
  static void buildStore(Path storeDir, Path src, Map<String, Map<String, byte[]>> expected, SigningKey key)
      throws IOException {
    Random r = new Random(18);
    byte[] shared = bytes(r, 40_000);
    byte[] large = bytes(r, (int) Packs.SMALL_BLOB + 100);
    int[] n = {0};
    try (AssetClient c = AssetClient.builder().store(storeDir.toString()).newStoreFormat(1).user("t")
        .cache(src.resolve("cache")).build()) {
      AssetVersion inputs = c.newAsset("inputs")
          .add(write(src, n, "params.yml", "lr: 0.1\n".getBytes(StandardCharsets.UTF_8))).alias("train").upload();
      for (String alias : List.of("a", "b")) {
        for (int i = 0; i < 3; i++) {
          Map<String, byte[]> files = new TreeMap<>();
          files.put("shared.bin", shared);
          files.put("model.bin", bytes(r, 10_000 + i));
          files.put("empty.txt", new byte[0]);
          if (alias.equals("b")) {
            files.put("weights.bin", large);
          }
          AssetUpload up = c.newAsset("models").alias(alias);
          for (Map.Entry<String, byte[]> f : files.entrySet()) {
            up.add(write(src, n, f.getKey(), f.getValue()));
          }
          if (i == 2) {
            up.ref(inputs).sign(key);
          }
          up.upload();
          expected.put(alias, files);
        }
      }
      c.newAsset("models").add(write(src, n, "orphan.bin", bytes(r, 3_000))).upload();
    }
  }

  @Test
  void aDryRunReportsWhatItWouldPackAndWritesNothing() throws IOException {
    List<String> before = keys(storeDir);
    MigrationReport r;
    try (AssetClient c = client()) {
      r = c.migrate(MigrateOptions.dryRun());
    }
    assertFalse(r.written());
    assertEquals(1, r.formatBefore());
    assertEquals(1, r.formatAfter());
    assertEquals(8, r.versions());
    assertEquals(8, r.versionsMigrated(), "every version would get its record");
    // params.yml, shared.bin, the empty file, six models and the orphan; not the large file.
    assertEquals(10, r.blobsPacked());
    assertEquals(before, keys(storeDir), "a dry run writes nothing");
  }

  @Test
  void aMigratedStoreKeepsIdsLogsRefsAndSignaturesAndDownloadsByteForByte() throws IOException {
    Snapshot before = snapshot();
    MigrationReport r;
    try (AssetClient c = client()) {
      r = c.migrate(MigrateOptions.dryRun().migrating());
    }
    assertTrue(r.written());
    assertEquals(1, r.formatBefore());
    assertEquals(2, r.formatAfter());
    assertEquals(8, r.versionsMigrated());
    assertEquals(10, r.blobsPacked());
    assertEquals(1, r.packs(), "ten small blobs fit in one pack");
    assertTrue(r.notes().get(0).contains("stay in blobs/ until garbage collection removes them"), r.notes().toString());
    assertEquals("{\"format\":\"ama-store\",\"version\":2}",
        Files.readString(storeDir.resolve(Store.FORMAT_MARKER)).strip());

    assertEquals(before, snapshot(), "ids, alias logs, refs and signatures are unchanged");
    assertMigratedAndIntact(storeDir, expected, tmp.resolve("fresh-cache"));
    assertTrue(Files.exists(storeDir.resolve("blobs")), "loose blobs are left for gc");
  }

  @Test
  void aSecondRunAfterCompletionWritesNothing() throws IOException {
    try (AssetClient c = client()) {
      c.migrate(MigrateOptions.dryRun().migrating());
    }
    List<String> after = keys(storeDir);
    MigrationReport again;
    try (AssetClient c = client()) {
      again = c.migrate(MigrateOptions.dryRun().migrating());
    }
    assertTrue(again.upToDate(), again.toString());
    assertEquals(0, again.blobsPacked());
    assertEquals(0, again.packs());
    assertEquals(after, keys(storeDir));
  }

  @Test
  void aVersionUploadedByAFormat1ClientDuringTheMigrationGetsItsRecordBeforeTheSwitchOrFromTheNextRun()
      throws IOException {
    try (Storage fs = new FileSystemStorage(storeDir);
        AssetClient old = AssetClient.builder().storage(fs).newStoreFormat(1).user("old").cache(tmp.resolve("c1")).build()) {
      old.versions("models");
      // This client checked the marker while the store was in format 1, and keeps writing format 1.
      try (AssetClient c = client()) {
        c.migrate(MigrateOptions.dryRun().migrating());
      }
      byte[] late = "written during the migration".getBytes(StandardCharsets.UTF_8);
      AssetVersion v = old.newAsset("models").add(write(tmp.resolve("src"), new int[] {folders++ + 100}, "late.txt", late))
          .alias("late").upload();
      try (AssetClient reader = client()) {
        assertArrayEquals(late, Files.readAllBytes(reader.download("models", "late").to(tmp.resolve("late"))
            .resolve("late.txt")), "a version without a record is read from its loose blobs");
        VerifyReport before = reader.verify(VerifyOptions.DEFAULTS.withDeep());
        // Its record and its content marker are missing, both index objects: no blob is.
        assertEquals(List.of(VerifyReport.Kind.MARKER_MISSING, VerifyReport.Kind.MARKER_MISSING),
            before.problems().stream().map(VerifyReport.Problem::kind).toList(), before.problems().toString());
        assertTrue(before.problems().get(0).message().contains("run 'ama migrate --yes' to write its record"),
            before.problems().get(0).message());
        MigrationReport r = reader.migrate(MigrateOptions.dryRun().migrating());
        assertEquals(1, r.versionsMigrated(), "the next run gives it its record: " + r);
        assertTrue(Files.exists(storeDir.resolve(StoreLayout.uploadRecord(v.createdAt(), v.version()))));
      }
    }
    expected.put("late", Map.of("late.txt", "written during the migration".getBytes(StandardCharsets.UTF_8)));
    assertMigratedAndIntact(storeDir, expected, tmp.resolve("fresh-cache"));
  }

  @Test
  void aFormat1StoreOpenedByADefaultClientStaysFormat1AndWritable() throws IOException {
    byte[] next = "a new model".getBytes(StandardCharsets.UTF_8);
    try (AssetClient c = client()) {
      assertEquals(1, c.storeFormat());
      c.newAsset("models").add(write(tmp.resolve("src"), new int[] {500}, "model.bin", next)).alias("a").upload();
      assertArrayEquals(next, Files.readAllBytes(c.download("models", "a").to(tmp.resolve("next")).resolve("model.bin")));
      assertTrue(c.verify(VerifyOptions.DEFAULTS).ok());
    }
    assertEquals("{\"format\":\"ama-store\",\"version\":1}", Files.readString(storeDir.resolve(Store.FORMAT_MARKER)));
    assertFalse(Files.exists(storeDir.resolve("packs")), "a format 1 store gets no packs");
    assertFalse(Files.exists(storeDir.resolve("index/uploads")), "nor upload records");
  }

  @Test
  void aNewStoreIsCreatedInFormat2ByDefault() throws IOException {
    Path fresh = tmp.resolve("fresh");
    try (AssetClient c = AssetClient.builder().store(fresh.toString()).user("t").cache(tmp.resolve("c2")).build()) {
      c.newAsset("models").add(write(tmp.resolve("src"), new int[] {600}, "m.bin", new byte[] {1, 2, 3})).upload();
      assertEquals(2, c.storeFormat());
    }
    assertEquals("{\"format\":\"ama-store\",\"version\":2}", Files.readString(fresh.resolve(Store.FORMAT_MARKER)));
  }

  @Test
  void aDamagedBlobIsLeftAsItWasAndNamedInTheReport() throws IOException {
    Digest shared;
    try (AssetClient c = client()) {
      shared = c.version("models", "a").files().stream().filter(f -> f.path().equals("shared.bin")).findFirst()
          .orElseThrow().digest();
    }
    Files.write(storeDir.resolve(Store.blobKey(shared)), "not the bytes".getBytes(StandardCharsets.UTF_8));
    MigrationReport r;
    try (AssetClient c = client()) {
      r = c.migrate(MigrateOptions.dryRun().migrating());
      assertTrue(r.notes().stream().anyMatch(n -> n.contains(shared.toString()) && n.contains("not packed")),
          r.notes().toString());
      VerifyReport v = c.verify(VerifyOptions.DEFAULTS.withDeep());
      assertTrue(v.unrepaired().stream().anyMatch(p -> p.key().equals(Store.blobKey(shared))),
          "verify still reports the damaged blob where it was: " + v.problems());
    }
    assertEquals(2, r.formatAfter());
  }

  @Test
  void aReadOnlyOrUnlistableStoreIsRefusedNamingTheFix() {
    try (Storage fs = new FileSystemStorage(storeDir);
        AssetClient c = AssetClient.builder().storage(TestStorage.readOnlyWithoutListing(fs)).cache(tmp.resolve("c")).build()) {
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> c.migrate(MigrateOptions.dryRun()));
      assertTrue(e.getMessage().contains("cannot list"), e.getMessage());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // ---- checks shared with the kill and S3 tests ----

  /**
   * The store is in format 2, every version has its record and content marker, every alias
   * downloads its files byte for byte through a fresh cache, and a deep verify finds nothing.
   */
  static void assertMigratedAndIntact(Path storeDir, Map<String, Map<String, byte[]>> expected, Path cache)
      throws IOException {
    try (FileSystemStorage fs = new FileSystemStorage(storeDir)) {
      assertMigratedAndIntact(fs, expected, cache);
    }
  }

  static void assertMigratedAndIntact(Storage storage, Map<String, Map<String, byte[]>> expected, Path cache)
      throws IOException {
    try (AssetClient c = AssetClient.builder().storage(storage).user("check").cache(cache).build()) {
      Store store = new Store(storage);
      assertEquals(2, store.format());
      UploadRecords records = new UploadRecords(store);
      try (Stream<StoreWalk.Stored> s = new StoreWalk(store).manifests(o -> {})) {
        for (StoreWalk.Stored m : s.toList()) {
          AssetVersion v = c.version(m.id());
          assertTrue(records.of(v).isPresent(), "version " + v.version() + " has its upload record");
          assertTrue(store.stat(StoreLayout.contentUse(Publisher.identityOf(v), v.version())).isPresent(),
              "version " + v.version() + " has its content marker");
        }
      }
      int n = 0;
      for (Map.Entry<String, Map<String, byte[]>> alias : expected.entrySet()) {
        String type = alias.getKey().equals("late") || alias.getKey().length() == 1 ? "models" : "inputs";
        Path out = c.download(type, alias.getKey()).to(cache.resolveSibling(cache.getFileName() + "-out-" + n++));
        for (Map.Entry<String, byte[]> f : alias.getValue().entrySet()) {
          assertArrayEquals(f.getValue(), Files.readAllBytes(out.resolve(f.getKey())), alias.getKey() + "/" + f.getKey());
        }
      }
      VerifyReport v = c.verify(VerifyOptions.DEFAULTS.withDeep());
      assertTrue(v.ok(), "verify is clean after the migration: " + v.problems());
      assertTrue(store.list(Store.PACKS).findAny().isPresent(), "small blobs are in packs");
    }
  }

  /** What a migration must not change: ids by alias log entry, logs, refs, signatures. */
  record Snapshot(Map<String, List<String>> logs, Map<String, List<String>> refs, Map<String, List<VersionSignature>> signed) {}

  private Snapshot snapshot() {
    try (AssetClient c = client()) {
      return snapshot(c);
    }
  }

  static Snapshot snapshot(AssetClient c) {
    Map<String, List<String>> logs = new TreeMap<>();
    Map<String, List<String>> refs = new TreeMap<>();
    Map<String, List<VersionSignature>> signed = new TreeMap<>();
    for (String type : c.types()) {
      for (String alias : c.aliasNames(type)) {
        logs.put(type + "/" + alias, c.history(type, alias).stream().map(AliasEntry::toString).toList());
      }
      for (AssetVersion v : c.versions(type)) {
        refs.put(v.version().toString(), v.refs().stream().map(Ref::toString).toList());
        signed.put(v.version().toString(), c.signatures(v));
      }
    }
    return new Snapshot(logs, refs, signed);
  }

  private AssetClient client() {
    return AssetClient.builder().store(storeDir.toString()).user("t").cache(tmp.resolve("cache")).build();
  }

  static List<String> keys(Path dir) throws IOException {
    try (FileSystemStorage fs = new FileSystemStorage(dir); Stream<ObjectInfo> s = fs.list("")) {
      return s.map(ObjectInfo::key).toList();
    }
  }

  static byte[] read(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  private static Path write(Path src, int[] n, String name, byte[] content) throws IOException {
    return Files.write(Files.createDirectories(src.resolve("f" + n[0]++)).resolve(name), content);
  }

  private static byte[] bytes(Random r, int size) {
    byte[] b = new byte[size];
    r.nextBytes(b);
    return b;
  }
}
