package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AssetClientTest {
  @TempDir Path tmp;
  private Path files;
  private FileSystemStorage storage;
  private AssetClient client;

  @BeforeEach
  void setUp() throws IOException {
    files = Files.createDirectories(tmp.resolve("files"));
    storage = new FileSystemStorage(tmp.resolve("store"));
    client = clientOn(storage, "cache");
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  private AssetClient clientOn(Storage s, String cache) {
    return AssetClient.builder().newStoreFormat(1).storage(s).user("alice").cache(tmp.resolve(cache)).build();
  }

  private Path write(String name, String content) throws IOException {
    Path p = files.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private static void assertSameBytes(Path expected, Path actual) throws IOException {
    assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(actual), actual.toString());
  }

  @Test
  void uploadThenDownloadRoundTripsEveryFileByteExact() throws IOException {
    Path model = files.resolve("model.h5");
    byte[] weights = new byte[3 * 1024 * 1024 + 17];
    new java.util.Random(7).nextBytes(weights);
    Files.write(model, weights);
    Path empty = write("empty.txt", "");
    Path spaced = write("mödel notes ü.yml", "lr: 0.1\n");

    AssetVersion v = client.newAsset("rnn_models").add(model, empty, spaced).alias("my_model").upload();
    Path out = client.download("rnn_models", "my_model").to(tmp.resolve("out"));

    assertEquals(3, v.files().size());
    assertSameBytes(model, out.resolve("model.h5"));
    assertSameBytes(empty, out.resolve("empty.txt"));
    assertSameBytes(spaced, out.resolve("mödel notes ü.yml"));
    assertEquals(Digest.sha256(weights), v.file("model.h5").orElseThrow().digest());
  }

  @Test
  void aFolderIsAddedWithItsRelativePaths() throws IOException {
    write("ckpt/step-1/a.bin", "1");
    write("ckpt/b.bin", "2");

    AssetVersion v = client.newAsset("checkpoints").add(files.resolve("ckpt")).alias("run1").upload();

    assertEquals(List.of("ckpt/b.bin", "ckpt/step-1/a.bin"),
        v.files().stream().map(AssetFile::path).collect(Collectors.toList()));
    Path out = client.download("checkpoints", "run1").to(tmp.resolve("out"));
    assertEquals("1", Files.readString(out.resolve("ckpt/step-1/a.bin")));
  }

  @Test
  void theVersionIdIsTheDigestOfTheStoredManifest() throws IOException {
    AssetVersion v = client.newAsset("rnn_models").add(write("model.yml", "x")).alias("m").upload();
    byte[] stored;
    try (var in = storage.open(Store.manifestKey(v.version()))) {
      stored = in.readAllBytes();
    }
    assertEquals(v.version(), Digest.sha256(stored));
    assertTrue(storage.stat("blobs/sha256/" + v.files().get(0).digest().hex().substring(0, 2) + "/"
        + v.files().get(0).digest().hex()).isPresent());
  }

  @Test
  void reuploadingIdenticalContentReturnsTheExistingVersionAndAddsNoHistory() throws IOException {
    Path f = write("model.yml", "layers: 3\n");
    AssetVersion first = client.newAsset("rnn_models").add(f).alias("my_model").upload();

    AssetVersion again = client.newAsset("rnn_models").add(f).alias("my_model").upload();

    assertEquals(first, again);
    assertEquals(1, client.history("rnn_models", "my_model").size());
  }

  @Test
  void uploadingNewContentMovesTheAliasAndRecordsWhereItWas() throws IOException {
    AssetVersion one = client.newAsset("rnn_models").add(write("model.yml", "v1")).alias("my_model").upload();
    AssetVersion two = client.newAsset("rnn_models").add(write("model.yml", "v2")).alias("my_model").upload();

    List<AliasEntry> h = client.history("rnn_models", "my_model");

    assertEquals(2, h.size());
    assertEquals(1, h.get(0).seq());
    assertEquals(one.version(), h.get(0).version());
    assertEquals(Optional.empty(), h.get(0).previous());
    assertEquals(two.version(), h.get(1).version());
    assertEquals(Optional.of(one.version()), h.get(1).previous());
    assertEquals("alice", h.get(1).by());
    assertEquals(two, client.version("rnn_models", "my_model"));
  }

  @Test
  void aRefIsPinnedToTheVersionTheAliasPointedAtWhenUploading() throws IOException {
    AssetVersion inputs = client.newAsset("training_params").add(write("training.yml", "lr: 1")).alias("inputs").upload();
    AssetVersion model = client.newAsset("rnn_models").add(write("model.h5", "w")).alias("m").ref("training_params", "inputs").upload();
    client.newAsset("training_params").add(write("training.yml", "lr: 2")).alias("inputs").upload();

    Ref ref = client.version("rnn_models", "m").refs().get(0);

    assertEquals(inputs.version(), ref.version());
    assertEquals(Optional.of("inputs"), ref.alias());
    assertEquals(model.refs(), List.of(ref));
  }

  @Test
  void downloadWithRefsPutsReferencedVersionsTransitivelyUnderRefs() throws IOException {
    client.newAsset("datasets").add(write("data.csv", "a,b")).alias("reads").upload();
    client.newAsset("training_params").add(write("training.yml", "lr: 1")).alias("inputs").ref("datasets", "reads").upload();
    client.newAsset("rnn_models").add(write("model.h5", "w")).alias("m").ref("training_params", "inputs").upload();

    Path out = client.download("rnn_models", "m").withRefs().to(tmp.resolve("out"));

    assertEquals("w", Files.readString(out.resolve("model.h5")));
    assertEquals("lr: 1", Files.readString(out.resolve("refs/training_params/inputs/training.yml")));
    assertEquals("a,b", Files.readString(out.resolve("refs/datasets/reads/data.csv")));
  }

  @Test
  void anUnknownAliasIsReportedWithNearNames() throws IOException {
    client.newAsset("rnn_models").add(write("a", "1")).alias("my_model").upload();

    NotFoundException e = assertThrows(NotFoundException.class, () -> client.version("rnn_models", "my_modle"));

    assertTrue(e.getMessage().contains("no alias 'my_modle'") && e.getMessage().contains("Did you mean 'my_model'?"),
        e.getMessage());
  }

  @Test
  void anUnknownTypeIsReportedWithTheExistingTypes() throws IOException {
    client.newAsset("rnn_models").add(write("a", "1")).alias("my_model").upload();

    NotFoundException e = assertThrows(NotFoundException.class, () -> client.version("rnn_model", "my_model"));

    assertTrue(e.getMessage().contains("no asset type 'rnn_model'") && e.getMessage().contains("rnn_models"),
        e.getMessage());
  }

  @Test
  void aStoreNeverUploadedToIsNotFoundAndTheMessageNamesTheWaysToChooseAnother() {
    StoreException e = assertThrows(StoreException.class, () -> client.version("rnn_models", "my_model"));
    assertTrue(e.getMessage().startsWith("no AMA store at ") && e.getMessage().contains("does not exist")
        && e.getMessage().contains("AMA_STORE") && e.getMessage().contains("created by its first upload"), e.getMessage());
  }

  @Test
  void uploadingNothingOrAMissingFileIsRefusedClearly() {
    InvalidInputException nothing = assertThrows(InvalidInputException.class,
        () -> client.newAsset("rnn_models").alias("m").upload());
    assertTrue(nothing.getMessage().contains("nothing to upload"), nothing.getMessage());

    InvalidInputException missing = assertThrows(InvalidInputException.class,
        () -> client.newAsset("rnn_models").add(files.resolve("nope.h5")));
    assertTrue(missing.getMessage().contains("nope.h5") && missing.getMessage().contains("does not exist"),
        missing.getMessage());
  }

  @Test
  void aRefToAnUnknownAliasFailsBeforeAnythingIsWritten() throws IOException {
    client.newAsset("training_params").add(write("training.yml", "lr: 1")).alias("inputs").upload();
    Path f = write("model.h5", "w");
    NotFoundException e = assertThrows(NotFoundException.class,
        () -> client.newAsset("rnn_models").add(f).alias("m").ref("training_params", "nope").upload());
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
    try (Stream<?> s = storage.list("blobs/")) {
      assertEquals(1, s.count(), "only the blob of the first upload");
    }
  }

  @Test
  void aCorruptBlobFailsTheDownloadAndLeavesNothingUnderTheFinalName() throws IOException {
    AssetVersion v = client.newAsset("rnn_models").add(write("model.h5", "real weights")).alias("m").upload();
    String key = Store.blobKey(v.files().get(0).digest());
    storage.delete(key);
    storage.putIfAbsent(key, Content.ofBytes("evil weights".getBytes(StandardCharsets.UTF_8)));

    IntegrityException e = assertThrows(IntegrityException.class,
        () -> client.download("rnn_models", "m").to(tmp.resolve("out")));

    assertTrue(e.getMessage().contains(v.files().get(0).digest().toString()) && e.getMessage().contains("corrupt"),
        e.getMessage());
    assertFalse(Files.exists(tmp.resolve("out/model.h5")));
    try (Stream<Path> left = Files.walk(tmp.resolve("cache"))) {
      assertEquals(List.of(), left.filter(Files::isRegularFile).filter(p -> !p.toString().contains("manifests"))
          .collect(Collectors.toList()));
    }
  }

  @Test
  void aStoredManifestWithATraversalPathIsRefusedAndNothingIsWritten() throws IOException {
    AssetVersion good = client.newAsset("rnn_models").add(write("model.h5", "w")).alias("m").upload();
    byte[] evil = new String(storage.open(Store.manifestKey(good.version())).readAllBytes(), StandardCharsets.UTF_8)
        .replace("\"path\":\"model.h5\"", "\"path\":\"../escaped.h5\"").getBytes(StandardCharsets.UTF_8);
    Digest evilId = Digest.sha256(evil);
    storage.putIfAbsent(Store.manifestKey(evilId), Content.ofBytes(evil));
    Store store = new Store(storage);
    try (Tasks tasks = new Tasks(TransferSettings.DEFAULTS)) {
      new AliasLog(store, new StoreIndex(store, tasks), java.time.Clock.systemUTC()).move("rnn_models", "m", evilId, "mallory");
    }

    IntegrityException e = assertThrows(IntegrityException.class,
        () -> client.download("rnn_models", "m").to(tmp.resolve("out")));

    assertTrue(e.getMessage().contains("../escaped.h5"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("escaped.h5")));
    assertFalse(Files.exists(tmp.resolve("out")));
  }

  @Test
  void aDownloadFolderHoldingDifferentFilesIsRefusedUnlessForced() throws IOException {
    client.newAsset("rnn_models").add(write("model.h5", "new"), write("model.yml", "same")).alias("m").upload();
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(out.resolve("model.h5"), "my local edits");

    ConflictException e = assertThrows(ConflictException.class, () -> client.download("rnn_models", "m").to(out));

    assertTrue(e.getMessage().contains("model.h5") && e.getMessage().contains("--force"), e.getMessage());
    assertEquals("my local edits", Files.readString(out.resolve("model.h5")));
    assertFalse(Files.exists(out.resolve("model.yml")), "nothing may be written when the download is refused");

    client.download("rnn_models", "m").force().to(out);
    assertEquals("new", Files.readString(out.resolve("model.h5")));
  }

  @Test
  void downloadingAgainIntoTheSameFolderIsHarmless() throws IOException {
    client.newAsset("rnn_models").add(write("model.h5", "w")).alias("m").upload();
    Path out = client.download("rnn_models", "m").to(tmp.resolve("out"));
    assertEquals(out, client.download("rnn_models", "m").to(tmp.resolve("out")));
    assertEquals("w", Files.readString(out.resolve("model.h5")));
  }

  @Test
  void loadServesTheFilesFromTheLocalCache() throws IOException {
    AssetVersion v = client.newAsset("rnn_models").add(write("model.h5", "weights")).alias("m").upload();

    LoadedAsset loaded = client.load("rnn_models", "m");

    assertEquals(v.version(), loaded.version());
    assertTrue(loaded.file("model.h5").startsWith(tmp.resolve("cache")));
    assertEquals("weights", Files.readString(loaded.file("model.h5")));
    NotFoundException e = assertThrows(NotFoundException.class, () -> loaded.file("other.h5"));
    assertTrue(e.getMessage().contains("model.h5"), e.getMessage());
  }

  @Test
  void loadFallsBackToTheLastLoadedVersionWhenTheStoreIsUnreachable() throws IOException {
    TestStorage flaky = new TestStorage(storage, java.util.EnumSet.allOf(dev.ama.spi.StorageCapability.class));
    try (AssetClient serving = clientOn(flaky, "serving-cache")) {
      AssetVersion v = serving.newAsset("rnn_models").add(write("model.h5", "weights")).alias("m").upload();
      serving.load("rnn_models", "m");
      flaky.offline = true;

      LoadedAsset offline = serving.load("rnn_models", "m");

      assertEquals(v.version(), offline.version());
      assertEquals("weights", Files.readString(offline.file("model.h5")));
      assertThrows(StoreException.class, () -> serving.load("rnn_models", "never_loaded"));
    }
  }

  @Test
  void aLoadThatFindsTheAliasRemovedForgetsItSoAnOfflineStartDoesNotServeIt() throws IOException {
    TestStorage flaky = new TestStorage(storage, java.util.EnumSet.allOf(dev.ama.spi.StorageCapability.class));
    try (AssetClient serving = clientOn(flaky, "serving-cache")) {
      serving.newAsset("rnn_models").add(write("model.h5", "weights")).alias("m").upload();
      serving.load("rnn_models", "m");
      client.removeAlias("rnn_models", "m");

      assertThrows(AliasRemovedException.class, () -> serving.load("rnn_models", "m"));
      flaky.offline = true;

      assertThrows(StoreException.class, () -> serving.load("rnn_models", "m"),
          "the removed alias's old version is not served offline");
    }
  }

  @Test
  void aRemovedAliasIsReportedAsRemovedOnAMirrorThatCannotList() throws IOException {
    client.newAsset("rnn_models").add(write("model.h5", "v1")).alias("m").upload();
    client.removeAlias("rnn_models", "m");
    try (AssetClient mirror = clientOn(TestStorage.readOnlyWithoutListing(storage), "mirror-cache")) {
      AliasRemovedException e = assertThrows(AliasRemovedException.class, () -> mirror.version("rnn_models", "m"));
      assertEquals(2, e.removal().seq());
      assertTrue(mirror.alias("rnn_models", "m").orElseThrow().removed());
    }
  }

  @Test
  void anAliasIsPointedOnlyAtAVersionOfItsTypeInThisStore() throws IOException {
    AssetVersion params = client.newAsset("training_params").add(write("training.yml", "lr: 1")).alias("inputs").upload();
    InvalidInputException wrongType = assertThrows(InvalidInputException.class,
        () -> client.setAlias("rnn_models", "prod", params, AliasExpectation.any()));
    assertTrue(wrongType.getMessage().contains("of type 'training_params'"), wrongType.getMessage());
    assertThrows(InvalidInputException.class, () -> client.setAlias("rnn_models", "prod", params.version().toString()));

    try (AssetClient other = clientOn(new FileSystemStorage(tmp.resolve("other-store")), "other-cache")) {
      other.newAsset("rnn_models").add(write("model.h5", "elsewhere")).alias("seed").upload();
      AssetVersion foreign = other.version("rnn_models", "seed");
      assertThrows(NotFoundException.class, () -> client.setAlias("rnn_models", "prod", foreign, AliasExpectation.any()));
    }
    assertEquals(Optional.empty(), client.alias("rnn_models", "prod"), "nothing was written");
  }

  @Test
  void aliasUpdatesOnALocationWithoutAStoreCreateNothing() {
    Path empty = tmp.resolve("no-store");
    try (AssetClient nowhere = clientOn(new FileSystemStorage(empty), "nowhere-cache")) {
      assertThrows(StoreException.class, () -> nowhere.removeAlias("rnn_models", "prod"));
      assertThrows(StoreException.class, () -> nowhere.setAlias("rnn_models", "prod", "staging"));
    }
    assertFalse(Files.exists(empty.resolve("ama-store.json")));
  }

  @Test
  void aliasesResolveOnAStoreThatCannotListSuchAsAWebMirror() throws IOException {
    AssetVersion last = null;
    for (int i = 0; i < 11; i++) {
      last = client.newAsset("rnn_models").add(write("model.h5", "v" + i)).alias("m").upload();
    }
    storage.delete(StoreLayout.aliasHead("rnn_models", "m"));

    try (AssetClient mirror = clientOn(TestStorage.readOnlyWithoutListing(storage), "mirror-cache")) {
      assertEquals(last.version(), mirror.alias("rnn_models", "m").orElseThrow().version());
      assertEquals(11, mirror.history("rnn_models", "m").size());
      assertEquals("v10", Files.readString(mirror.load("rnn_models", "m").file("model.h5")));
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> mirror.newAsset("rnn_models").add(write("x", "x")).alias("m").upload());
      assertTrue(e.getMessage().contains("read-only"), e.getMessage());
    }
  }

  @Test
  void aStaleAliasHintIsOnlyAStartingPoint() throws IOException {
    client.newAsset("rnn_models").add(write("model.h5", "1")).alias("m").upload();
    storage.put(StoreLayout.aliasHead("rnn_models", "m"), Content.ofBytes("1".getBytes(StandardCharsets.US_ASCII)));
    client.newAsset("rnn_models").add(write("model.h5", "2")).alias("m").upload();
    AssetVersion three = client.newAsset("rnn_models").add(write("model.h5", "3")).alias("m").upload();
    storage.put(StoreLayout.aliasHead("rnn_models", "m"), Content.ofBytes("1".getBytes(StandardCharsets.US_ASCII)));

    assertEquals(three.version(), client.alias("rnn_models", "m").orElseThrow().version());
    assertEquals(3, client.alias("rnn_models", "m").orElseThrow().seq());
  }

  @Test
  void listingAnswersTypesAliasesAndVersionsNewestFirst() throws IOException {
    AssetVersion a = client.newAsset("rnn_models").add(write("m", "1")).alias("a").upload();
    AssetVersion b = client.newAsset("rnn_models").add(write("m", "2")).alias("b").upload();
    client.newAsset("training_params").add(write("t", "1")).alias("a").upload();

    assertEquals(List.of("rnn_models", "training_params"), client.types());
    assertEquals(List.of("a", "b"), client.aliases("rnn_models").stream().map(AliasEntry::alias).collect(Collectors.toList()));
    assertEquals(List.of("rnn_models", "training_params"), client.typesWithAlias("a"));
    List<AssetVersion> versions = client.versions("rnn_models");
    assertEquals(2, versions.size());
    assertTrue(versions.get(0).createdAt().compareTo(versions.get(1).createdAt()) >= 0);
    assertTrue(versions.containsAll(List.of(a, b)));
  }

  @Test
  void twoFilesForOnePathAreRefusedNamingBoth() throws IOException {
    Path one = write("x/model.h5", "1");
    Path two = write("y/model.h5", "2");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> client.newAsset("rnn_models").add(one, two));
    assertTrue(e.getMessage().contains(one.toString()) && e.getMessage().contains(two.toString()), e.getMessage());
  }

  @Test
  void identicalContentUnderTwoNamesIsStoredOnce() throws IOException {
    AssetVersion v = client.newAsset("rnn_models").add(write("a.bin", "same"), write("b.bin", "same")).alias("m").upload();
    assertEquals(v.files().get(0).digest(), v.files().get(1).digest());
    try (Stream<?> s = storage.list("blobs/")) {
      assertEquals(1, s.count());
    }
    Path out = client.download("rnn_models", "m").to(tmp.resolve("out"));
    assertEquals("same", Files.readString(out.resolve("b.bin")));
  }

  @Test
  void versionsAreDifferentForDifferentRefs() throws IOException {
    client.newAsset("training_params").add(write("t", "1")).alias("i").upload();
    Path f = write("model.h5", "w");
    AssetVersion plain = client.newAsset("rnn_models").add(f).alias("m").upload();
    AssetVersion withRef = client.newAsset("rnn_models").add(f).alias("m").ref("training_params", "i").upload();
    assertNotEquals(plain, withRef);
    assertEquals(2, client.history("rnn_models", "m").size());
  }

  @Test
  void identicalContentUnderAnotherAliasOrNoneIsTheSameVersion() throws IOException {
    Path f = write("training.yml", "lr: 0.1\n");
    AssetVersion first = client.newAsset("training_params").add(f).upload();

    AssetVersion again = client.newAsset("training_params").add(f).upload();
    AssetVersion named = client.newAsset("training_params").add(f).alias("inputs").upload();

    assertEquals(first, again);
    assertEquals(first, named);
    assertEquals(first.version(), client.alias("training_params", "inputs").orElseThrow().version());
    assertEquals(1, client.versions("training_params").size());
  }

  @Test
  void aMainFileWhereARefWouldGoIsRefusedBeforeAnythingIsWritten() throws IOException {
    client.newAsset("training_params").add(write("training.yml", "lr: 1")).alias("inputs").upload();
    client.newAsset("rnn_models").add("refs/training_params/inputs/training.yml", write("other.yml", "mine"))
        .add(write("model.h5", "w")).alias("m").ref("training_params", "inputs").upload();

    ConflictException e = assertThrows(ConflictException.class,
        () -> client.download("rnn_models", "m").withRefs().to(tmp.resolve("out")));

    assertTrue(e.getMessage().contains("would both be written to refs/training_params/inputs/training.yml"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("out")));
  }

  @Test
  void aListingThatFailsAfterItsFirstPageIsAStoreError() throws IOException {
    client.newAsset("rnn_models").add(write("a", "1")).alias("m").upload();
    Storage failingLater = new dev.ama.spi.ForwardingStorage(storage) {
      @Override
      public Stream<dev.ama.spi.ObjectInfo> list(String prefix, String startAfter) throws IOException {
        Stream<dev.ama.spi.ObjectInfo> first = delegate().list(prefix, startAfter);
        return Stream.concat(first, Stream.generate(() -> {
          throw new java.io.UncheckedIOException(new java.net.SocketTimeoutException("page 2 timed out"));
        }));
      }
    };
    try (AssetClient c = clientOn(failingLater, "cache2")) {
      StoreException e = assertThrows(StoreException.class, c::types);
      assertTrue(e.getMessage().contains("page 2 timed out") && e.getMessage().contains("list index/types/"),
          e.getMessage());
    }
  }
}
