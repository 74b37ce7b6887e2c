package dev.ama;

import dev.ama.spi.ForwardingStorage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ama.spi.Content;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import dev.ama.storage.InMemoryStorage;
import dev.ama.testing.StoreChecker;
import dev.ama.testing.UploadWorker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many writers moving one alias at once, as parallel training jobs do: every upload must get its
 * own entry in the alias log, none lost and none duplicated, chained in the order they won.
 */
class ConcurrentUploadTest {
  private static final String TYPE = "rnn_models";
  private static final String ALIAS = "my_model";
  private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path tmp;

  /** The format of the stores the test creates; a subclass runs the races on format 2. */
  int storeFormat() {
    return 1;
  }

  /** Loose blobs a store holds after {@code uploads} of distinct model.bin files and the shared file. */
  int looseBlobs(int uploads) {
    return uploads + 1;
  }

  @Test
  void threadsRacingOnOneAliasEachGetOneEntry() throws Exception {
    int threads = 8;
    int perThread = 5;
    Storage storage = new InMemoryStorage();
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (AssetClient client = AssetClient.builder().storage(storage).user("racer").newStoreFormat(storeFormat())
        .cache(tmp.resolve("cache")).build()) {
      List<Future<List<Digest>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          List<Path> models = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            Path dir = Files.createDirectories(tmp.resolve("files-" + thread + "-" + i));
            models.add(Files.write(dir.resolve("model.bin"), UploadWorker.modelContent(thread, i)));
            Files.writeString(dir.resolve("shared.txt"), UploadWorker.SHARED_CONTENT);
          }
          start.await(30, TimeUnit.SECONDS);
          List<Digest> uploaded = new ArrayList<>();
          for (Path model : models) {
            uploaded.add(client.newAsset(TYPE)
                .add(model, model.resolveSibling("shared.txt"))
                .alias(ALIAS)
                .upload()
                .version());
          }
          return uploaded;
        }));
      }
      List<Digest> uploaded = new ArrayList<>();
      for (Future<List<Digest>> f : futures) {
        uploaded.addAll(f.get(60, TimeUnit.SECONDS));
      }

      assertHistoryHoldsEachUploadOnce(client, uploaded);
      StoreChecker.Report report = StoreChecker.check(storage).assertConsistent("after racing threads");
      assertEquals(looseBlobs(threads * perThread), report.blobs(), "one blob per model.bin plus the shared file");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void processesRacingOnOneAliasEachGetOneEntry() throws Exception {
    int workers = 4;
    int perWorker = 5;
    Path store = tmp.resolve("store");
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<Process> processes = new ArrayList<>();
    try {
      for (int w = 0; w < workers; w++) {
        processes.add(new ProcessBuilder(
                java.toString(), "-cp", System.getProperty("java.class.path"),
                "-XX:TieredStopAtLevel=1", "-Xmx128m", "-D" + UploadWorker.FORMAT_PROPERTY + "=" + storeFormat(),
                UploadWorker.class.getName(),
                store.toString(), work.toString(), TYPE, ALIAS, Integer.toString(w), Integer.toString(perWorker))
            .redirectOutput(work.resolve("out-" + w).toFile())
            .redirectError(work.resolve("err-" + w).toFile())
            .start());
      }
      // Release the workers together once every JVM is up, so their uploads overlap.
      long deadline = System.nanoTime() + PROCESS_TIMEOUT.toNanos();
      for (int w = 0; w < workers; w++) {
        while (!Files.exists(work.resolve("ready-" + w))) {
          if (!processes.get(w).isAlive() || System.nanoTime() > deadline) {
            fail("worker " + w + " did not get ready: " + stderr(work, w));
          }
          Thread.sleep(5);
        }
      }
      Files.createFile(work.resolve("go"));
      for (int w = 0; w < workers; w++) {
        Process p = processes.get(w);
        assertTrue(p.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS),
            "worker " + w + " still running after " + PROCESS_TIMEOUT);
        int worker = w;
        assertEquals(0, p.exitValue(), () -> "worker " + worker + " failed: " + stderr(work, worker));
      }
    } finally {
      processes.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
    }

    List<Digest> uploaded = new ArrayList<>();
    Map<Digest, String> uploader = new HashMap<>();
    long lastStart = Long.MIN_VALUE;
    long firstFinish = Long.MAX_VALUE;
    for (int w = 0; w < workers; w++) {
      List<String> lines = Files.readAllLines(work.resolve("out-" + w), StandardCharsets.UTF_8);
      List<String[]> versions = lines.stream().filter(l -> l.startsWith("VERSION ")).map(l -> l.split(" "))
          .collect(Collectors.toList());
      assertEquals(perWorker, versions.size(), "uploads reported by worker " + w + ": " + lines);
      for (int i = 0; i < perWorker; i++) {
        assertEquals(Digest.sha256(UploadWorker.modelContent(w, i)), Digest.parse(versions.get(i)[2]),
            "model.bin of worker " + w + " upload " + i);
        Digest id = Digest.parse(versions.get(i)[1]);
        uploaded.add(id);
        uploader.put(id, "worker-" + w);
      }
      lastStart = Math.max(lastStart, stamp(lines, "STARTED "));
      firstFinish = Math.min(firstFinish, stamp(lines, "FINISHED "));
    }
    assertTrue(lastStart < firstFinish,
        "the workers did not upload at the same time (last started " + lastStart + ", first finished "
            + firstFinish + "), so nothing raced");

    try (AssetClient client = AssetClient.builder().store(store.toString()).cache(tmp.resolve("cache")).build()) {
      List<AliasEntry> history = assertHistoryHoldsEachUploadOnce(client, uploaded);
      for (AliasEntry e : history) {
        assertEquals(uploader.get(e.version()), e.by(), "who moved the alias in entry " + e.seq());
        assertEquals(uploader.get(e.version()), client.version(e.version()).createdBy());
      }
    }
    StoreChecker.Report report = StoreChecker.check(new FileSystemStorage(store)).assertConsistent("after racing processes");
    assertEquals(looseBlobs(workers * perWorker), report.blobs(), "one blob per model.bin plus the shared file");
    try (Stream<Path> leftovers = Files.list(store.resolve(".ama-tmp"))) {
      assertEquals(List.of(), leftovers.collect(Collectors.toList()), "temporary files left in the store");
    }
  }

  /**
   * Two uploads of the same content: the second finds the blob the first just stored and skips its
   * own copy. If the first then notices its file was touched and gives up, it must not take the
   * blob away from the second, whose alias already points at it.
   */
  @Test
  void uploadGivingUpOnATouchedFileKeepsTheBlobAnotherUploadUses() throws Exception {
    Storage storage = new InMemoryStorage();
    byte[] content = UploadWorker.modelContent(9, 0);
    Path mine = Files.write(Files.createDirectories(tmp.resolve("mine")).resolve("model.bin"), content);
    Path theirs = Files.write(Files.createDirectories(tmp.resolve("theirs")).resolve("model.bin"), content);
    try (AssetClient other = AssetClient.builder().storage(storage).user("other").newStoreFormat(storeFormat())
        .cache(tmp.resolve("cache-other")).build()) {
      Storage interleaving = new ForwardingStorage(storage) {
        @Override
        public PutOutcome putIfAbsent(String key, Content c) throws IOException {
          PutOutcome outcome = super.putIfAbsent(key, c);
          if (key.startsWith("blobs/") && outcome == PutOutcome.CREATED) {
            other.newAsset(TYPE).add(theirs).alias("their_model").upload();
            Files.setLastModifiedTime(mine, FileTime.from(Files.getLastModifiedTime(mine).toInstant().plusSeconds(60)));
          }
          return outcome;
        }
      };
      try (AssetClient client =
          AssetClient.builder().storage(interleaving).user("me").newStoreFormat(storeFormat()).cache(tmp.resolve("cache-me")).concurrency(1).build()) {
        LocalFileException e =
            assertThrows(LocalFileException.class, () -> client.newAsset(TYPE).add(mine).alias(ALIAS).upload());
        assertTrue(e.getMessage().contains("changed while it was being uploaded"), e.getMessage());
        assertEquals(Optional.empty(), client.alias(TYPE, ALIAS), "the abandoned upload moved its alias");
      }
      StoreChecker.check(storage).assertConsistent("after an upload gave up on a touched file");
      Path out = other.download(TYPE, "their_model").to(tmp.resolve("out"));
      assertEquals(-1, Files.mismatch(theirs, out.resolve("model.bin")));
    }
  }

  /**
   * Checks that the alias log holds every uploaded version exactly once at positions 1..N, each
   * entry naming the one before it as previous, and that the alias resolves to the last.
   */
  private static List<AliasEntry> assertHistoryHoldsEachUploadOnce(AssetClient client, List<Digest> uploaded) {
    assertEquals(uploaded.size(), new HashSet<>(uploaded).size(), "uploads of distinct content got the same id");
    List<AliasEntry> history = client.history(TYPE, ALIAS);
    assertEquals(uploaded.size(), history.size(), "alias log length");
    Optional<Digest> previous = Optional.empty();
    for (int i = 0; i < history.size(); i++) {
      AliasEntry e = history.get(i);
      assertEquals(i + 1, e.seq(), "position of entry " + i);
      assertEquals(previous, e.previous(), "previous of entry " + e.seq());
      previous = Optional.of(e.version());
    }
    List<Digest> logged = history.stream().map(AliasEntry::version).collect(Collectors.toList());
    assertEquals(new HashSet<>(uploaded), new HashSet<>(logged), "versions in the alias log");
    assertEquals(logged.size(), new HashSet<>(logged).size(), "a version appears twice in the log: " + logged);
    AliasEntry last = history.get(history.size() - 1);
    assertEquals(Optional.of(last), client.alias(TYPE, ALIAS), "the alias's current entry");
    assertEquals(last.version(), client.version(TYPE, ALIAS).version());
    return history;
  }

  private static long stamp(List<String> lines, String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(l.substring(prefix.length())))
        .findFirst().orElseThrow(() -> new AssertionError("no " + prefix.trim() + " line in " + lines));
  }

  private static String stderr(Path work, int worker) {
    try {
      return Files.readString(work.resolve("err-" + worker));
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }
}
