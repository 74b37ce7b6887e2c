package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import dev.ama.storage.InMemoryStorage;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors are classified by where they happen: a local file, the download folder or the local
 * cache is a {@link LocalFileException}, never a {@link StoreException} that sends the user to check
 * the store; a store failing mid-read is a {@link StoreException}, never blamed on the folder.
 */
class ErrorClassificationTest {
  private static final String TYPE = "rnn_models";

  @TempDir Path tmp;

  private AssetClient client(Storage storage, String cache) {
    return AssetClient.builder().newStoreFormat(1).storage(storage).user("alice").cache(tmp.resolve(cache)).build();
  }

  private Path file(String name, int size, int seed) throws IOException {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return Files.write(Files.createDirectories(tmp.resolve("files")).resolve(name), bytes);
  }

  @Test
  void aLocalFileTruncatedWhileTheStoreReadsItIsALocalFileError() throws IOException {
    Path model = file("model.h5", 300_000, 1);
    FileSystemStorage store = new FileSystemStorage(tmp.resolve("store"));
    // The file shrinks after it was hashed, just as the backend starts reading it: the backend
    // sees a failing content stream and reports its own I/O error.
    Storage truncating = new ForwardingStorage(store) {
      @Override
      public PutOutcome putIfAbsent(String key, Content content) throws IOException {
        if (key.startsWith("blobs/")) {
          try (FileChannel ch = FileChannel.open(model, StandardOpenOption.WRITE)) {
            ch.truncate(1000);
          }
        }
        return super.putIfAbsent(key, content);
      }
    };
    try (AssetClient c = client(truncating, "cache")) {
      LocalFileException e = assertThrows(LocalFileException.class,
          () -> c.newAsset(TYPE).add(model).alias("m").upload());
      assertTrue(e.getMessage().startsWith("file " + model + " changed while it was being uploaded; nothing was published"),
          e.getMessage());
      assertFalse(e.getMessage().contains("store is reachable"), e.getMessage());
      assertEquals(Optional.empty(), c.alias(TYPE, "m"));
    }
    try (Stream<Path> blobs = Files.walk(tmp.resolve("store"))) {
      assertTrue(blobs.noneMatch(p -> p.toString().contains("/blobs/") && Files.isRegularFile(p)),
          "no blob was published for the truncated file");
    }
  }

  @Test
  void aLocalFileThatVanishesBeforeItIsHashedIsALocalFileError() throws IOException {
    Path model = file("model.h5", 1000, 2);
    try (AssetClient c = client(new InMemoryStorage(), "cache")) {
      AssetUpload upload = c.newAsset(TYPE).add(model).alias("m");
      // Readable when added, unreadable when hashed: a folder now stands where the file was.
      Files.delete(model);
      Files.createDirectory(model);
      LocalFileException e = assertThrows(LocalFileException.class, upload::upload);
      assertTrue(e.getMessage().startsWith("cannot read file " + model), e.getMessage());
      assertTrue(e.getMessage().contains("check that it still exists and is readable"), e.getMessage());
    }
  }

  @Test
  void aLocalCacheThatCannotBeWrittenIsALocalFileErrorNamingTheCache() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    try (AssetClient c = client(storage, "cache")) {
      c.newAsset(TYPE).add(file("model.h5", 5000, 3)).alias("m").upload();
    }
    Path notAFolder = Files.writeString(tmp.resolve("cache-file"), "a file where the cache folder should be");
    try (AssetClient c = AssetClient.builder().newStoreFormat(1).storage(storage).user("bob").cache(notAFolder).build()) {
      LocalFileException e = assertThrows(LocalFileException.class, () -> c.load(TYPE, "m"));
      // The load holds its version before it writes anything, so taking the hold is what fails.
      assertTrue(e.getMessage().contains("in the local cache " + notAFolder), e.getMessage());
      assertTrue(e.getMessage().endsWith("or set AMA_CACHE"), e.getMessage());
    }
  }

  @Test
  void aDownloadFolderThatCannotBeWrittenIsALocalFileErrorNamingTheFolder() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    try (AssetClient c = client(storage, "cache")) {
      c.newAsset(TYPE).add(file("model.h5", 5000, 4)).alias("m").upload();
      Path blocker = Files.writeString(tmp.resolve("blocker"), "a file, not a folder");
      LocalFileException e = assertThrows(LocalFileException.class,
          () -> c.download(TYPE, "m").to(blocker.resolve("out")));
      assertTrue(e.getMessage().startsWith("cannot write " + blocker.resolve("out").resolve("model.h5")), e.getMessage());
      assertTrue(e.getMessage().endsWith("check that the download folder is a writable folder with free space"),
          e.getMessage());
    }
  }

  @Test
  void aStoreFailingInTheMiddleOfABlobIsAStoreErrorNotTheFoldersFault() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    AssetVersion v;
    try (AssetClient c = client(storage, "cache")) {
      v = c.newAsset(TYPE).add(file("model.h5", 200_000, 5)).alias("m").upload();
    }
    Storage breaking = new ForwardingStorage(storage) {
      @Override
      public InputStream open(String key) throws IOException {
        InputStream in = super.open(key);
        if (!key.startsWith("blobs/")) {
          return in;
        }
        return new FilterInputStream(in) {
          private long read;

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (read > 10_000) {
              throw new IOException("connection reset by peer");
            }
            int n = super.read(b, off, Math.min(len, 4096));
            read += Math.max(n, 0);
            return n;
          }
        };
      }
    };
    Path out = tmp.resolve("out");
    try (AssetClient c = client(breaking, "cache-2")) {
      StoreException e = assertThrows(StoreException.class, () -> c.download(TYPE, "m").to(out));
      String key = "blobs/sha256/" + v.files().get(0).digest().hex().substring(0, 2) + "/" + v.files().get(0).digest().hex();
      assertTrue(e.getMessage().startsWith("could not read " + key + " in store mem:"), e.getMessage());
      assertTrue(e.getMessage().contains("connection reset by peer"), e.getMessage());
      assertFalse(e.getMessage().contains("download folder"), e.getMessage());
    }
    assertFalse(Files.exists(out.resolve("model.h5")), "nothing was placed under the final name");
  }

  @Test
  void aNotFoundErrorCarriesItsNearNames() throws IOException {
    try (AssetClient c = client(new InMemoryStorage(), "cache")) {
      c.newAsset(TYPE).add(file("model.h5", 10, 6)).alias("my_model").upload();
      c.newAsset(TYPE).add(file("other.h5", 10, 7)).alias("baseline").upload();
      NotFoundException e = assertThrows(NotFoundException.class, () -> c.version(TYPE, "my_modle"));
      assertEquals(java.util.List.of("my_model"), e.nearNames());
      assertTrue(e.getMessage().endsWith("Did you mean 'my_model'?"), e.getMessage());

      NotFoundException type = assertThrows(NotFoundException.class, () -> c.version("rnn_model", "my_model"));
      assertEquals(java.util.List.of(TYPE), type.nearNames());

      NotFoundException far = assertThrows(NotFoundException.class, () -> c.version(TYPE, "zzzzzzzz_qqq"));
      assertEquals(java.util.List.of(), far.nearNames());
      assertTrue(far.getMessage().contains("Existing aliases: baseline, my_model"), far.getMessage());
    }
  }

  @Test
  void notFoundSuggestingPlacesTheHintWhereTheMessageWantsIt() {
    NotFoundException e = NotFoundException.suggesting("trainig.yml", java.util.List.of("training.yml", "model.h5"),
        hint -> "no file 'trainig.yml'" + (hint.isEmpty() ? "." : hint) + " Its files: training.yml, model.h5");
    assertEquals("no file 'trainig.yml'. Did you mean 'training.yml'? Its files: training.yml, model.h5", e.getMessage());
    assertEquals(java.util.List.of("training.yml"), e.nearNames());
  }

  @Test
  void theBuilderRefusesAStoreGivenTwice() {
    InMemoryStorage storage = new InMemoryStorage();
    IllegalStateException both = assertThrows(IllegalStateException.class,
        () -> AssetClient.builder().newStoreFormat(1).store(tmp.resolve("a").toString()).storage(storage));
    assertEquals("the store was already set with store(\"" + tmp.resolve("a") + "\"); storage(" + storage.location()
        + ") would replace it. Give the store once: store(location) or storage(storage)", both.getMessage());
    IllegalStateException reversed = assertThrows(IllegalStateException.class,
        () -> AssetClient.builder().newStoreFormat(1).storage(storage).store("/tmp/b"));
    assertTrue(reversed.getMessage().startsWith("the store was already set with storage(" + storage.location() + ")"),
        reversed.getMessage());
    assertThrows(IllegalStateException.class, () -> AssetClient.builder().newStoreFormat(1).store("/tmp/a").store("/tmp/b"));
  }

  @Test
  void theBuilderRefusesConcurrencyAndTransferSettingsTogether() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> AssetClient.builder().newStoreFormat(1).concurrency(4).transfers(TransferSettings.DEFAULTS));
    assertTrue(e.getMessage().startsWith("transfer settings were already set with concurrency(4); transfers("),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("Set them once: transfers(TransferSettings.DEFAULTS.withConcurrency(n)...) or"
        + " concurrency(n)"), e.getMessage());
    assertThrows(IllegalStateException.class,
        () -> AssetClient.builder().newStoreFormat(1).transfers(TransferSettings.DEFAULTS).concurrency(2));
    // A bad value is refused for itself, and does not count as the one setting made.
    AssetClient.Builder b = AssetClient.builder().newStoreFormat(1);
    assertThrows(InvalidInputException.class, () -> b.concurrency(0));
    b.concurrency(2);
  }

  @Test
  void aDownloadOfAResolvedVersionWritesThatVersionEvenIfTheAliasMoved() throws IOException {
    try (AssetClient c = client(new InMemoryStorage(), "cache")) {
      Path first = file("model.h5", 100, 8);
      AssetVersion v1 = c.newAsset(TYPE).add(first).alias("m").upload();
      byte[] firstBytes = Files.readAllBytes(first);
      c.newAsset(TYPE).add(file("model.h5", 100, 9)).alias("m").upload();
      Path out = c.download(v1).to(tmp.resolve("out"));
      assertArrayEquals(firstBytes, Files.readAllBytes(out.resolve("model.h5")));
    }
  }

  @Test
  void aLocalFileDeletedAfterItWasAddedIsALocalFileError() throws IOException {
    Path model = file("model.h5", 1000, 10);
    try (AssetClient c = client(new InMemoryStorage(), "cache")) {
      AssetUpload upload = c.newAsset(TYPE).add(model).alias("m");
      Files.delete(model);
      LocalFileException e = assertThrows(LocalFileException.class, upload::upload);
      assertTrue(e.getMessage().startsWith("cannot read file " + model + " (NoSuchFileException"), e.getMessage());
      assertTrue(e.getMessage().endsWith("was it moved or deleted after it was added?"), e.getMessage());
    }
  }

  @Test
  void aVersionFromAnotherStoreIsRefusedByNameBeforeAnythingIsWritten() throws IOException {
    AssetVersion elsewhere;
    try (AssetClient other = client(new InMemoryStorage(), "cache-other")) {
      elsewhere = other.newAsset(TYPE).add(file("model.h5", 100, 11)).alias("m").upload();
    }
    try (AssetClient c = client(new InMemoryStorage(), "cache")) {
      c.newAsset(TYPE).add(file("other.h5", 100, 13)).alias("other").upload();
      Path out = tmp.resolve("out");
      NotFoundException e = assertThrows(NotFoundException.class, () -> c.download(elsewhere).to(out));
      assertTrue(e.getMessage().startsWith("no version " + elsewhere.version() + " (" + TYPE + ") in mem:"), e.getMessage());
      assertTrue(e.getMessage().endsWith("Download it with a client of that store"), e.getMessage());
      assertFalse(Files.exists(out));
    }
  }

  @Test
  void offlineLoadServesTheCachedFolderEvenWhenItsBlobsWereEvicted() throws IOException {
    TestStorage flaky = new TestStorage(new InMemoryStorage(), java.util.EnumSet.allOf(dev.ama.spi.StorageCapability.class));
    try (AssetClient serving = client(flaky, "serving-cache")) {
      Path model = file("model.h5", 5000, 12);
      AssetVersion v = serving.newAsset(TYPE).add(model).alias("m").upload();
      serving.load(TYPE, "m");
      Digest d = v.files().get(0).digest();
      Path blob = tmp.resolve("serving-cache/blobs/sha256").resolve(d.hex().substring(0, 2)).resolve(d.hex());
      assertTrue(Files.deleteIfExists(blob), "the test removes the cached blob");
      flaky.offline = true;
      LoadedAsset offline = serving.load(TYPE, "m");
      assertEquals(v.version(), offline.version());
      assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(offline.file("model.h5")));
    }
  }
}
