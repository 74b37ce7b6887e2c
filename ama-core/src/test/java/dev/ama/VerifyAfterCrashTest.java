package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import dev.ama.storage.InMemoryStorage;
import dev.ama.testing.FaultInjectingStorage;
import dev.ama.testing.FaultInjectingStorage.Fault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a crash leaves is not damage: a writer that dies at any of its writes leaves a store that
 * {@link AssetClient#verify} passes (its leftovers reported, not counted as problems), and the
 * retried upload leaves one that passes with nothing left over but the dead writer's objects.
 */
class VerifyAfterCrashTest {
  @TempDir Path tmp;
  private int stores;

  @ParameterizedTest(name = "{0}, fault {1}, {2} transfer threads")
  @CsvSource({"MEMORY, BEFORE_WRITE, 1", "MEMORY, MID_CONTENT, 1", "MEMORY, AFTER_WRITE, 1",
      "FILESYSTEM, BEFORE_WRITE, 8", "FILESYSTEM, MID_CONTENT, 1"})
  void aCrashAtEveryWriteLeavesAStoreVerifyPasses(String backend, Fault fault, int threads) throws Exception {
    for (int k = 1; ; k++) {
      assertTrue(k <= 100, "the upload had not completed without a fault after 100 writes");
      Storage real = backend.equals("MEMORY") ? new InMemoryStorage() : new FileSystemStorage(tmp.resolve("s" + stores++));
      try (AssetClient c = client(real, threads)) {
        c.newAsset("datasets").add(file("data.csv", "a,b\n")).alias("inputs").upload();
      }
      FaultInjectingStorage faulty = FaultInjectingStorage.failingWrite(real, k, fault);
      try (AssetClient crashing = client(faulty, threads)) {
        crashing.newAsset("models").add(file("model.h5", "weights " + "x".repeat(1000)))
            .add(file("model.yml", "layers: 3\n")).add(file("copy.yml", "layers: 3\n"))
            .alias("best").ref("datasets", "inputs").upload();
      } catch (StoreException e) {
        // the injected crash
      }
      faulty.awaitIdle(Duration.ofSeconds(10));
      String context = "after a " + fault + " fault at write " + k + faulty.faultedKey().map(key -> " on " + key).orElse("");
      try (AssetClient checker = client(real, threads)) {
        VerifyReport r = checker.verify(VerifyOptions.DEFAULTS.withDeep());
        assertEquals(List.of(), r.problems(), context);
      }
      if (!faulty.faulted()) {
        return;
      }
      try (AssetClient retry = client(real, threads)) {
        retry.newAsset("models").add(file("model.h5", "weights " + "x".repeat(1000)))
            .add(file("model.yml", "layers: 3\n")).add(file("copy.yml", "layers: 3\n"))
            .alias("best").ref("datasets", "inputs").upload();
        VerifyReport r = retry.verify(VerifyOptions.DEFAULTS);
        assertEquals(List.of(), r.problems(), "after the retry, " + context);
      }
    }
  }

  /** The format of the stores the test creates; a subclass runs every crash on format 2. */
  int storeFormat() {
    return 1;
  }

  private AssetClient client(Storage storage, int threads) {
    return AssetClient.builder().storage(storage).user("alice").concurrency(threads).newStoreFormat(storeFormat())
        .cache(tmp.resolve("cache-" + System.nanoTime())).build();
  }

  private Path file(String name, String content) throws IOException {
    return Files.writeString(Files.createDirectories(tmp.resolve("src")).resolve(name), content);
  }
}
