package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ama.storage.FileSystemStorage;
import dev.ama.testing.GcWorker;
import dev.ama.testing.StoreChecker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deleting gc killed with {@code kill -9} at a random moment, in a real child JVM on a
 * filesystem store: the store it leaves is consistent, every kept alias downloads byte-exact and
 * keeps its whole log, and the next gc finishes the collection.
 */
class GcKillTest {
  private static final int KEEP_LAST = 1;
  private static final int MS_PER_DELETE = 5;

  @TempDir Path tmp;
  private final Map<String, Map<String, byte[]>> kept = new TreeMap<>();
  private int expectedCollected;
  private int templateObjects;
  private int templateBlobs;

  @Test
  void aGcKilledAtRandomMomentsLeavesAConsistentStoreThatTheNextGcFinishes() throws Exception {
    trials(20, 1);
  }

  /** The same, many times: run by bench/reliability.sh, not in CI. */
  @Tag("long")
  @Test
  void aGcKilledAtRandomMomentsManyTimes() throws Exception {
    trials(200, 2);
  }

  private void trials(int n, long seed) throws Exception {
    Path template = tmp.resolve("template");
    buildStore(template);
    try (FileSystemStorage fs = new FileSystemStorage(template)) {
      StoreChecker.Report r = StoreChecker.check(fs).assertConsistent("the store before gc");
      templateObjects = r.blobs() + r.manifests() + r.markers();
      templateBlobs = r.blobs();
    }
    Random random = new Random(seed);
    long[] full = new long[2];
    Map<String, Integer> outcomes = new TreeMap<>();
    for (int trial = 0; trial < n; trial++) {
      Path store = tmp.resolve("trial-" + trial);
      copy(template, store);
      // The first trial runs to the end, to learn how long a whole gc and its deletions take here.
      // Then odd trials are killed at any moment, even ones during the deletions.
      boolean deleting = trial % 2 == 0;
      long delay = trial == 0 ? -1 : (long) (random.nextDouble() * 1.1 * (deleting ? full[1] : full[0]));
      long[] took = runAndKill(store, delay, deleting);
      if (trial == 0) {
        full[0] = Math.max(took[0], 20);
        full[1] = Math.max(took[1], 5);
      }
      outcomes.merge(check(store, "trial " + trial + " killed " + delay + " ms after " + (deleting ? "DELETING" : "READY")),
          1, Integer::sum);
    }
    System.out.println("gc kill trials: " + n + ", whole gc " + full[0] + " ms after READY, deletions " + full[1]
        + " ms, outcomes " + outcomes);
    assertTrue(outcomes.getOrDefault("mid-deletion", 0) > 0, "some kills landed among the deletions: " + outcomes);
  }

  /** The format of the store the gc runs on; {@link PackedGcKillTest} runs every trial on format 2. */
  int storeFormat() {
    return Store.FORMAT_V1;
  }

  /** Three aliases with three entries each, a ref, shared blobs and orphans, all two days old. */
  private void buildStore(Path dir) throws IOException {
    Random r = new Random(7);
    try (FileSystemStorage fs = new FileSystemStorage(dir);
        AssetClient c = AssetClient.builder().storage(fs).user("t").cache(tmp.resolve("cache-build"))
            .newStoreFormat(storeFormat()).build()) {
      AssetVersion base = c.newAsset("inputs").add(write("params.yml", "lr: 0.1\n".getBytes(StandardCharsets.UTF_8)))
          .upload();
      byte[] shared = bytes(r, 20_000);
      for (String alias : List.of("a", "b", "c")) {
        for (int i = 0; i < 3; i++) {
          byte[] model = bytes(r, 5_000 + i);
          AssetUpload up = c.newAsset("models").add(write("model.bin", model), write("shared.bin", shared)).alias(alias);
          if (i == 2 && alias.equals("a")) {
            up.ref(base);
          }
          up.upload();
          if (i == 2) {
            kept.put(alias, Map.of("model.bin", model, "shared.bin", shared));
          }
        }
      }
      for (int i = 0; i < 4; i++) {
        c.newAsset("models").add(write("orphan.bin", bytes(r, 3_000))).upload();
      }
    }
    expectedCollected = 3 * 2 + 4;
    FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(48)));
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(p, old);
      }
    }
  }

  private int files;

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(Files.createDirectories(tmp.resolve("src-" + files++)).resolve(name), content);
  }

  private static byte[] bytes(Random r, int size) {
    byte[] b = new byte[size];
    r.nextBytes(b);
    return b;
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /** A worker JVM of a kill test, ready: what it printed before {@code READY}, and the rest to read. */
  record Worker(Process process, BufferedReader out, List<String> lines) {}

  /**
   * Starts {@code main} in a JVM on the test class path and waits until it prints {@code READY},
   * so that a kill lands in its work and not in its start-up; shared by the gc and migration kill
   * tests.
   */
  static Worker startWorker(String what, Class<?> main, String... args) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
        "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xmx128m", main.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = out.readLine()) != null && !line.equals("READY")) {
        lines.add(line);
      }
      if (line == null) {
        fail(what + " worker died before it was ready: " + String.join("\n", lines));
      }
      return new Worker(p, out, lines);
    } catch (IOException | RuntimeException | Error e) {
      p.destroyForcibly();
      throw e;
    }
  }

  /**
   * Runs a gc worker and kills it {@code delay} ms after it is ready or, if {@code afterDeleting},
   * after its first delete (never, if negative); returns how long it ran from each.
   */
  private long[] runAndKill(Path store, long delay, boolean afterDeleting) throws Exception {
    Worker w = startWorker("gc", GcWorker.class, store.toString(), tmp.resolve("cache-gc").toString(),
        Integer.toString(KEEP_LAST), Integer.toString(MS_PER_DELETE));
    Process p = w.process();
    try {
      BufferedReader out = w.out();
      List<String> lines = w.lines();
      String line;
      long ready = System.nanoTime();
      long deleting = ready;
      if (afterDeleting || delay < 0) {
        while ((line = out.readLine()) != null && !line.equals("DELETING")) {
          lines.add(line);
        }
        assertTrue(line != null, "the gc deletes: " + String.join("\n", lines));
        deleting = System.nanoTime();
      }
      if (delay >= 0) {
        Thread.sleep(delay);
        p.destroyForcibly();
      }
      StringBuilder rest = new StringBuilder();
      if (delay < 0) {
        while ((line = out.readLine()) != null) {
          rest.append(line).append('\n');
        }
      }
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "gc worker exits");
      long now = System.nanoTime();
      if (delay < 0) {
        assertEquals(0, p.exitValue(), "an uninterrupted gc succeeds: " + rest);
        assertTrue(rest.toString().startsWith("DONE " + expectedCollected + " "), rest.toString());
      }
      return new long[] {TimeUnit.NANOSECONDS.toMillis(now - ready), TimeUnit.NANOSECONDS.toMillis(now - deleting)};
    } finally {
      p.destroyForcibly();
    }
  }

  /** Checks a store a killed gc left, finishes the collection and checks again; returns where the kill landed. */
  private String check(Path dir, String context) throws IOException {
    String outcome;
    try (FileSystemStorage fs = new FileSystemStorage(dir)) {
      StoreChecker.Report before = StoreChecker.check(fs).assertConsistent(context);
      int collected = 9 + 1 + 4 - before.manifests();
      int objects = before.blobs() + before.manifests() + before.markers();
      outcome = objects == templateObjects ? "before deletion" : collected == expectedCollected
          && before.blobs() == templateBlobs - expectedCollected ? "after deletion" : "mid-deletion";
      try (AssetClient c = AssetClient.builder().storage(fs).user("t").cache(tmp.resolve("cache-check")).build()) {
        assertVerifies(c, context);
        assertKeptDownload(c, dir, context);
        GcReport finish = c.gc(GcOptions.dryRun().deleting().keepLast(KEEP_LAST));
        assertTrue(finish.complete(), context);
        assertEquals(expectedCollected - collected, finish.collectedVersions().size(), context + ": the next gc collects the rest");
        StoreChecker.check(fs).assertConsistent(context + ", then a complete gc");
        assertFinished(fs, context);
        assertVerifies(c, context + ", then a complete gc");
        assertKeptDownload(c, dir, context + ", then a complete gc");
        for (String alias : kept.keySet()) {
          List<HistoryEntry> h = c.historyStatus("models", alias);
          assertEquals(List.of(HistoryEntry.State.COLLECTED, HistoryEntry.State.COLLECTED, HistoryEntry.State.STORED),
              h.stream().map(HistoryEntry::state).toList(), context);
        }
      }
    }
    return outcome;
  }

  /** Checks what only a finished collection of this store's format leaves. */
  void assertFinished(FileSystemStorage fs, String context) throws IOException {}

  /** What a user runs after a killed gc: a deep verify, which must find no problem. */
  private static void assertVerifies(AssetClient c, String context) {
    VerifyReport r = c.verify(VerifyOptions.DEFAULTS.withDeep());
    assertTrue(r.ok(), context + ": ama verify --deep found " + r.problems());
  }

  private void assertKeptDownload(AssetClient c, Path dir, String context) throws IOException {
    Map<String, Integer> n = new HashMap<>();
    for (Map.Entry<String, Map<String, byte[]>> e : kept.entrySet()) {
      Path out = tmp.resolve("out-" + dir.getFileName() + "-" + e.getKey() + "-" + n.merge(e.getKey(), 1, Integer::sum)
          + "-" + files++);
      c.download("models", e.getKey()).withRefs().to(out);
      for (Map.Entry<String, byte[]> f : e.getValue().entrySet()) {
        assertArrayEquals(f.getValue(), Files.readAllBytes(out.resolve(f.getKey())), context + ": " + e.getKey());
      }
    }
  }
}
