package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.VerifyReport.Kind;
import dev.ama.VerifyReport.Problem;
import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AssetClient#verify} on a real filesystem store damaged in each way it can be: the problem
 * it reports, the object it names and what that breaks.
 */
class VerifyTest {
  @TempDir Path tmp;
  private Path storeDir;
  private AssetVersion dataset;
  private AssetVersion model;
  private AssetVersion model2;

  @BeforeEach
  void setUp() throws IOException {
    storeDir = tmp.resolve("store");
    try (AssetClient client = client()) {
      dataset = client.newAsset("datasets").add(write("data.csv", "a,b\n1,2\n")).alias("inputs").upload();
      model = client.newAsset("models").add(write("model.h5", "weights-1")).add(write("model.yml", "layers: 2\n"))
          .alias("best").ref("datasets", "inputs").upload();
      model2 = client.newAsset("models").add(write("model.h5", "weights-2")).add(write("model.yml", "layers: 2\n"))
          .alias("best").label("stage", "prod \u00fc\u0001").description("caf\u00e9 \ud83d\ude80").upload();
    }
  }

  private AssetClient client() {
    return AssetClient.builder().newStoreFormat(1).storage(new FileSystemStorage(storeDir)).user("alice")
        .cache(tmp.resolve("cache-" + System.nanoTime())).build();
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(tmp.resolve(name), content, StandardCharsets.UTF_8);
  }

  private VerifyReport verify(VerifyOptions options) {
    try (AssetClient client = client()) {
      return client.verify(options);
    }
  }

  private Path blob(AssetVersion v, String path) {
    String hex = v.file(path).orElseThrow().digest().hex();
    return storeDir.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
  }

  private Path manifest(Digest id) {
    return storeDir.resolve("manifests/sha256/" + id.hex().substring(0, 2) + "/" + id.hex() + ".json");
  }

  private static Problem only(VerifyReport r, Kind kind) {
    List<Problem> found = r.problems().stream().filter(p -> p.kind() == kind).toList();
    assertEquals(1, found.size(), r.problems().toString());
    assertEquals(found, r.problems(), "no other problem: " + r.problems());
    return found.get(0);
  }

  @Test
  void aCleanStorePassesAndSaysWhatItChecked() {
    VerifyReport r = verify(VerifyOptions.DEFAULTS);
    assertTrue(r.ok(), r.problems().toString());
    assertEquals(List.of(), r.problems());
    assertEquals(new VerifyReport.Checked(2, 3, 3, 4, r.checked().blobBytes(), 0, r.checked().markers()), r.checked());
    assertEquals(0, r.leftovers().manifests());
    assertEquals(0, r.leftovers().blobs());
    assertEquals(0, r.leftovers().unrecognizedCount());
    VerifyReport deep = verify(VerifyOptions.DEFAULTS.withDeep());
    assertTrue(deep.ok(), deep.problems().toString());
    assertEquals(4, deep.checked().blobsHashed());
  }

  @Test
  void aRemovedAliasIsAValidEntryWhoseHistoryStillKeepsItsVersions() {
    try (AssetClient client = client()) {
      assertEquals(AliasUpdate.Result.REMOVED, client.removeAlias("models", "best").result());
    }
    VerifyReport r = verify(VerifyOptions.DEFAULTS.withDeep());
    assertTrue(r.ok(), r.problems().toString());
    assertEquals(0, r.leftovers().manifests(), "the removal keeps the history's versions");
  }

  @Test
  void aMissingBlobIsNamedWithTheVersionsAliasesAndEntriesItBreaks() throws IOException {
    Files.delete(blob(dataset, "data.csv"));
    VerifyReport r = verify(VerifyOptions.DEFAULTS);
    assertFalse(r.ok());
    Problem p = only(r, Kind.BLOB_MISSING);
    String hex = dataset.files().get(0).digest().hex();
    assertEquals("blobs/sha256/" + hex.substring(0, 2) + "/" + hex, p.key());
    assertTrue(p.message().contains(dataset.files().get(0).digest().toString()) && p.message().contains("upload"),
        p.message());
    // The model refs the dataset, so downloading it with its refs breaks too.
    assertEquals(List.of(dataset.version(), model.version()).stream().sorted().toList(), p.affects().versions());
    assertEquals(List.of("datasets/inputs"), p.affects().aliases(), "best has moved on from the model");
    assertEquals(List.of("datasets/inputs@1", "models/best@1"), p.affects().entries());
  }

  @Test
  void aTruncatedBlobIsFoundByItsSize() throws IOException {
    Files.writeString(blob(model2, "model.h5"), "weig");
    Problem p = only(verify(VerifyOptions.DEFAULTS), Kind.BLOB_WRONG_SIZE);
    assertTrue(p.message().contains("holds 4 bytes") && p.message().contains("list 9"), p.message());
    assertEquals(List.of("models/best"), p.affects().aliases());
    assertEquals(List.of("models/best@2"), p.affects().entries());
  }

  @Test
  void aBlobReplacedBySameSizeBytesPassesShallowAndIsFoundDeep() throws IOException {
    Files.writeString(blob(model2, "model.h5"), "weights-X");
    VerifyReport shallow = verify(VerifyOptions.DEFAULTS);
    assertTrue(shallow.ok(), "a shallow check reads no blob: " + shallow.problems());
    assertFalse(shallow.deep());
    VerifyReport deep = verify(VerifyOptions.DEFAULTS.withDeep());
    Problem p = only(deep, Kind.BLOB_CORRUPT);
    assertTrue(p.message().contains("hash to " + Digest.sha256("weights-X".getBytes(StandardCharsets.UTF_8))),
        p.message());
    assertEquals(List.of(model2.version()), p.affects().versions());
  }

  @Test
  void aCorruptBlobNothingListsIsFoundDeepSinceAnUploadWouldReuseIt() throws IOException {
    Digest orphan = Digest.sha256("orphan".getBytes(StandardCharsets.UTF_8));
    Path p = storeDir.resolve("blobs/sha256/" + orphan.hex().substring(0, 2) + "/" + orphan.hex());
    Files.createDirectories(p.getParent());
    Files.writeString(p, "orphaN");
    VerifyReport shallow = verify(VerifyOptions.DEFAULTS);
    assertTrue(shallow.ok());
    assertEquals(1, shallow.leftovers().blobs());
    Problem corrupt = only(verify(VerifyOptions.DEFAULTS.withDeep()), Kind.BLOB_CORRUPT);
    assertEquals(VerifyReport.Affected.NOTHING, corrupt.affects());
    assertTrue(corrupt.message().contains("would reuse it"), corrupt.message());
  }

  @Test
  void aMissingManifestBehindAnAliasEntryNamesTheEntry() throws IOException {
    Files.delete(manifest(model.version()));
    Problem p = only(verify(VerifyOptions.DEFAULTS), Kind.MANIFEST_MISSING);
    assertTrue(p.key().endsWith(model.version().hex() + ".json"), p.key());
    assertTrue(p.message().contains("alias entry models/best@1"), p.message());
    assertEquals(List.of("models/best@1"), p.affects().entries());
    assertEquals(List.of(), p.affects().aliases(), "the alias points at model2 now");
  }

  @Test
  void aManifestWhoseBytesDoNotMatchItsIdIsCorrupt() throws IOException {
    Path m = manifest(model2.version());
    Files.writeString(m, Files.readString(m).replace("layers", "layerz").replace("alice", "mallory"));
    Problem p = only(verify(VerifyOptions.DEFAULTS), Kind.MANIFEST_CORRUPT);
    assertTrue(p.message().contains("hash to"), p.message());
    assertEquals(List.of("models/best"), p.affects().aliases());
  }

  @Test
  void aManifestThatHashesToItsIdButIsNotCanonicalJsonIsCorrupt() throws IOException {
    byte[] pretty = Files.readString(manifest(model2.version())).replace(",\"files\"", ", \"files\"")
        .getBytes(StandardCharsets.UTF_8);
    Digest id = Digest.sha256(pretty);
    Files.createDirectories(manifest(id).getParent());
    Files.write(manifest(id), pretty);
    Path entry = storeDir.resolve("aliases/models/pretty/0000000001.json");
    Files.createDirectories(entry.getParent());
    Files.writeString(entry, "{\"alias\":\"pretty\",\"at\":\"2026-12-01T00:00:00Z\",\"by\":\"eve\",\"seq\":1,"
        + "\"type\":\"models\",\"version\":\"" + id + "\"}");
    VerifyReport r = verify(VerifyOptions.DEFAULTS);
    Problem p = r.problems().stream().filter(x -> x.kind() == Kind.MANIFEST_CORRUPT).findFirst().orElseThrow();
    assertTrue(p.message().contains("not canonical JSON"), p.message());
    assertEquals(List.of("models/pretty"), p.affects().aliases());
  }

  @Test
  void aMissingIndexMarkerIsRepairedAndThenVerifyPasses() throws IOException {
    String hex = model2.version().hex();
    Path marker = storeDir.resolve("index/blobs/sha256/" + model2.file("model.h5").orElseThrow().digest().hex()
        + "/sha256-" + hex);
    Files.delete(marker);
    Problem p = only(verify(VerifyOptions.DEFAULTS), Kind.MARKER_MISSING);
    assertTrue(p.message().contains(storeDir.relativize(marker).toString()) && p.message().contains("--repair"),
        p.message());
    assertFalse(p.repaired());

    VerifyReport repair = verify(VerifyOptions.DEFAULTS.withRepair());
    assertTrue(repair.ok(), "only repaired problems remain");
    assertEquals(1, repair.repaired().size());
    assertTrue(repair.repaired().get(0).message().contains("written again"));
    assertTrue(Files.exists(marker));
    assertEquals(List.of(), verify(VerifyOptions.DEFAULTS).problems());
  }

  @Test
  void missingAliasMarkersAreRepairedFromTheAliasLog() throws IOException {
    Files.delete(storeDir.resolve("index/aliases/models/best"));
    Files.delete(storeDir.resolve("index/targets/sha256/" + model.version().hex() + "/models/best"));
    Problem p = only(verify(VerifyOptions.DEFAULTS), Kind.MARKER_MISSING);
    assertTrue(p.message().startsWith("2 index marker(s) of alias models/best"), p.message());
    assertTrue(verify(VerifyOptions.DEFAULTS.withRepair()).ok());
    assertEquals(List.of(), verify(VerifyOptions.DEFAULTS).problems());
  }

  @Test
  void markersNamingAMissingManifestAreStray() throws IOException {
    Digest ghost = Digest.sha256("ghost".getBytes(StandardCharsets.UTF_8));
    Path marker = storeDir.resolve("index/refs/sha256/" + dataset.version().hex() + "/sha256-" + ghost.hex());
    Files.createFile(marker);
    Problem p = only(verify(VerifyOptions.DEFAULTS), Kind.STRAY_MARKERS);
    assertEquals(storeDir.relativize(marker).toString(), p.key());
    assertTrue(p.message().contains(ghost.toString()), p.message());
    assertFalse(verify(VerifyOptions.DEFAULTS.withRepair()).ok(), "a repair never deletes");
  }

  @Test
  void aGapInAnAliasLogIsReported() throws IOException {
    Files.delete(storeDir.resolve("aliases/models/best/0000000001.json"));
    Problem p = only(verify(VerifyOptions.DEFAULTS), Kind.ALIAS_ENTRY_MISSING);
    assertEquals("aliases/models/best/0000000001.json", p.key());
    assertEquals(List.of("models/best"), p.affects().aliases());
  }

  @Test
  void aMalformedAliasEntryIsCorrupt() throws IOException {
    Files.writeString(storeDir.resolve("aliases/datasets/inputs/0000000001.json"), "{\"alias\":");
    Problem p = only(verify(VerifyOptions.DEFAULTS), Kind.ALIAS_ENTRY_CORRUPT);
    assertEquals("aliases/datasets/inputs/0000000001.json", p.key());
    assertEquals(List.of("datasets/inputs"), p.affects().aliases());
  }

  @Test
  void leftoversAreCountedButAreNoProblem() throws IOException {
    try (AssetClient client = client()) {
      client.newAsset("models").add(write("loose.bin", "no alias")).upload();
    }
    Path temps = Files.createDirectories(storeDir.resolve(".ama-tmp"));
    Path temp = Files.writeString(temps.resolve("0123456789abcdef"), "half");
    Files.setLastModifiedTime(temp, FileTime.from(Instant.now().minusSeconds(3600)));
    Files.writeString(storeDir.resolve("index/notes.txt"), "mine");
    VerifyReport r = verify(VerifyOptions.DEFAULTS);
    assertTrue(r.ok(), r.problems().toString());
    assertEquals(1, r.leftovers().manifests(), "the version without an alias");
    assertEquals(1, r.leftovers().blobs());
    assertEquals(8, r.leftovers().blobBytes());
    assertEquals(1, r.leftovers().temporaryFiles());
    assertEquals(4, r.leftovers().temporaryBytes());
    assertEquals(List.of("index/notes.txt"), r.leftovers().unrecognized());
    assertEquals(4, r.checked().versions(), "the unaliased version is checked all the same: its markers name it");
  }

  @Test
  void aVersionGarbageCollectionRemovedIsHistoryNotDamageEvenHalfRemoved() throws IOException {
    // model (best@1) is only history now; gc marks it collected, then removes its markers, manifest, blobs.
    Path collected = storeDir.resolve("index/collected/sha256/" + model.version().hex());
    Files.createDirectories(collected.getParent());
    Files.createFile(collected);
    Files.delete(storeDir.resolve("index/blobs/sha256/" + model.file("model.h5").orElseThrow().digest().hex()
        + "/sha256-" + model.version().hex()));
    assertEquals(List.of(), verify(VerifyOptions.DEFAULTS).problems(), "a gc killed among the markers");
    try (Stream<Path> markers = Files.walk(storeDir.resolve("index"))) {
      for (Path p : markers.filter(p -> p.toString().endsWith("sha256-" + model.version().hex())).toList()) {
        Files.delete(p);
      }
    }
    Files.delete(storeDir.resolve("index/targets/sha256/" + model.version().hex() + "/models/best"));
    Files.delete(manifest(model.version()));
    Files.delete(blob(model, "model.h5"));
    VerifyReport r = verify(VerifyOptions.DEFAULTS);
    assertEquals(List.of(), r.problems(), "a completed gc");
    assertEquals(0, r.leftovers().unrecognizedCount(), "collected markers are AMA's");
  }

  @Test
  void aStoreThatCannotListIsRefusedNamingIt() {
    Storage mirror = TestStorage.readOnlyWithoutListing(new FileSystemStorage(storeDir));
    try (AssetClient client = AssetClient.builder().newStoreFormat(1).storage(mirror).user("alice").cache(tmp.resolve("m")).build()) {
      InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
          () -> client.verify(VerifyOptions.DEFAULTS));
      assertTrue(e.getMessage().contains(mirror.location()) && e.getMessage().contains("cannot list"), e.getMessage());
    }
  }

  @Test
  void aShallowCheckCostsOneRequestPerObjectReadPlusTheListings() {
    Counting counting = new Counting(new FileSystemStorage(storeDir));
    try (AssetClient client = AssetClient.builder().newStoreFormat(1).storage(counting).user("alice").cache(tmp.resolve("c")).build()) {
      VerifyReport r = client.verify(VerifyOptions.DEFAULTS);
      assertTrue(r.ok());
      // The format marker, 4 listings (blobs, manifests, index, aliases), 3 alias entries, 3 manifests.
      assertEquals(Map.of("open", 7L, "list", 4L), counting.counts, counting.counts.toString());
    }
  }

  /** Counts requests by kind. */
  private static final class Counting extends ForwardingStorage {
    final Map<String, Long> counts = new ConcurrentHashMap<>();

    Counting(Storage delegate) {
      super(delegate);
    }

    private void count(String op) {
      counts.merge(op, 1L, Long::sum);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
      count("stat");
      return super.stat(key);
    }

    @Override
    public InputStream open(String key) throws IOException {
      count("open");
      return super.open(key);
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
      count("list");
      return super.list(prefix, startAfter);
    }

    @Override
    public PutOutcome putIfAbsent(String key, Content content) throws IOException {
      count("create");
      return super.putIfAbsent(key, content);
    }
  }
}
