package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ama.storage.FileSystemStorage;
import dev.ama.testing.DownloadWorker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads and cache fills killed with {@code kill -9} in a real child JVM: the next run removes
 * what they left, never a live writer's temporary file, and a killed {@code --force} download
 * leaves each file wholly old or wholly new.
 */
class LeftoverTempFilesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int KILLED_FORCE_TRIALS = 4;

  @TempDir Path tmp;
  private Path storeDir;
  private FileSystemStorage storage;
  private final List<Process> children = new ArrayList<>();

  @BeforeEach
  void store() {
    storeDir = tmp.resolve("store");
    storage = new FileSystemStorage(storeDir);
  }

  @AfterEach
  void cleanUp() throws IOException {
    children.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
    storage.close();
  }

  private AssetClient client(String cache) {
    return AssetClient.builder().newStoreFormat(1).storage(storage).user("t").cache(tmp.resolve(cache)).build();
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private Process worker(String mode, String cache, String type, String alias, Path folder, int msPer16KiB)
      throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        "-XX:TieredStopAtLevel=1", "-Xmx128m", DownloadWorker.class.getName(),
        mode, storeDir.toString(), tmp.resolve(cache).toString(), type, alias, folder.toString(),
        Integer.toString(msPer16KiB))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("worker-" + children.size() + ".log").toFile()).start();
    children.add(p);
    return p;
  }

  private static List<Path> tempFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
    }
  }

  /** Waits until a condition holds while the child lives, failing with the child's log otherwise. */
  private void await(Process child, String what, Check check) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!check.holds()) {
      if (!child.isAlive() || System.nanoTime() > deadline) {
        fail("worker did not get to " + what + " (alive: " + child.isAlive() + "): "
            + Files.readString(tmp.resolve("worker-" + (children.size() - 1) + ".log")));
      }
      Thread.sleep(5);
    }
  }

  @FunctionalInterface
  private interface Check {
    boolean holds() throws IOException;
  }

  private static void kill(Process p) throws InterruptedException {
    p.destroyForcibly();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS), "killed worker exits");
  }

  private static Predicate<Path> largerThan(long bytes) {
    return p -> {
      try {
        return Files.size(p) > bytes;
      } catch (IOException e) {
        return false;
      }
    };
  }

  @Test
  void aKilledDownloadsTempFileIsRemovedByTheNextRunWhileALiveOnesIsKept() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path out = tmp.resolve("out");
    try (AssetClient c = client("cache")) {
      c.newAsset("models").add(Files.write(src.resolve("big.bin"), random(1 << 20, 1))).alias("big").upload();
      c.newAsset("models").add(Files.writeString(src.resolve("small.txt"), "small")).alias("small").upload();
    }
    Process child = worker("download", "cache-child", "models", "big", out, 100);
    await(child, "writing its temporary file", () -> tempFiles(out).stream().anyMatch(largerThan(16 * 1024)));
    Path childsTemp = tempFiles(out).get(0);

    try (AssetClient c = client("cache")) {
      c.download("models", "small").to(out);
    }
    assertTrue(child.isAlive(), "the child is still downloading");
    assertEquals(List.of(childsTemp), tempFiles(out), "a live download's temporary file is kept");

    kill(child);
    assertEquals(List.of(childsTemp), tempFiles(out), "the killed download left its temporary file");
    try (AssetClient c = client("cache")) {
      DownloadResult again = c.download("models", "small").into(out);
      assertEquals(List.of("small.txt"), again.unchanged());
      assertEquals(List.of(), tempFiles(out), "the next run removed the dead writer's temporary file");
      c.download("models", "big").to(out);
    }
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(List.of("big.bin", "small.txt"), s.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void aKilledCacheFillsTempFileIsRemovedByTheNextFill() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    byte[] big = random(1 << 20, 2);
    try (AssetClient c = client("cache-upload")) {
      c.newAsset("models").add(Files.write(src.resolve("big.bin"), big)).alias("big").upload();
      c.newAsset("models").add(Files.writeString(src.resolve("small.txt"), "small")).alias("small").upload();
    }
    Path cacheTmp = tmp.resolve("cache/tmp");
    Process child = worker("load", "cache", "models", "big", tmp.resolve("unused"), 100);
    await(child, "filling the cache", () -> tempFiles(cacheTmp).stream().anyMatch(largerThan(16 * 1024)));
    kill(child);
    assertEquals(1, tempFiles(cacheTmp).size(), "the killed fill left its temporary file");

    try (AssetClient c = client("cache")) {
      c.load("models", "small");
      assertEquals(List.of(), tempFiles(cacheTmp), "the next fill removed the dead writer's temporary file");
      assertEquals(Digest.sha256(big), Digest.sha256(Files.readAllBytes(c.load("models", "big").file("big.bin"))));
    }
  }

  @Test
  void aDownloadKeepsTheTempFileOfAConcurrentDownloadInTheSameProcess() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path out = tmp.resolve("out");
    byte[] big = random(1 << 20, 3);
    try (AssetClient c = client("cache")) {
      c.newAsset("models").add(Files.write(src.resolve("big.bin"), big)).alias("big").upload();
      c.newAsset("models").add(Files.writeString(src.resolve("small.txt"), "small")).alias("small").upload();
    }
    try (AssetClient slow = AssetClient.builder().newStoreFormat(1).storage(DownloadWorker.slow(storage, 20)).user("t")
        .cache(tmp.resolve("cache-slow")).build(); AssetClient fast = client("cache")) {
      CompletableFuture<Path> running = CompletableFuture.supplyAsync(() -> slow.download("models", "big").to(out));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (tempFiles(out).isEmpty() && !running.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      assertFalse(running.isDone(), "the slow download is still running");
      fast.download("models", "small").to(out);
      running.get(30, TimeUnit.SECONDS);
    }
    assertEquals(Digest.sha256(big), Digest.sha256(Files.readAllBytes(out.resolve("big.bin"))));
    assertEquals(List.of(), tempFiles(out));
  }

  @Test
  void aKilledForceDownloadLeavesEachFileWhollyOldOrNewAndTheNextRunFinishesIt() throws Exception {
    // Killed after 0, 1, 2, 3 of 6 files were swapped, each with a temporary file being written.
    killForceDownloads(KILLED_FORCE_TRIALS, trial -> trial, trial -> 0);
  }

  /** The same at random moments, many times: run by bench/reliability.sh, not in CI. */
  @Test
  @Tag("long")
  void manyForceDownloadsKilledAtRandomMomentsLeaveNoTornFile() throws Exception {
    Random random = new Random(7);
    killForceDownloads(40, trial -> random.nextInt(6), trial -> random.nextInt(150));
  }

  /**
   * Runs {@code trials} {@code --force} downloads of a new version over a folder holding the old
   * one, each killed once {@code newBeforeKill} files are new and a temporary file is being
   * written, plus {@code extraMillis}; checks that no file is torn and that the next run finishes.
   */
  private void killForceDownloads(int trials, java.util.function.IntUnaryOperator newBeforeKill,
      java.util.function.IntUnaryOperator extraMillis) throws Exception {
    int files = 6;
    Path v1 = Files.createDirectories(tmp.resolve("v1"));
    Path v2 = Files.createDirectories(tmp.resolve("v2"));
    Map<String, Digest> oldDigests = new HashMap<>();
    Map<String, Digest> newDigests = new HashMap<>();
    for (int i = 0; i < files; i++) {
      String name = "part-" + i + ".bin";
      oldDigests.put(name, Digest.sha256(Files.readAllBytes(Files.write(v1.resolve(name), random(64 * 1024, 10 + i)))));
      newDigests.put(name, Digest.sha256(Files.readAllBytes(Files.write(v2.resolve(name), random(64 * 1024, 20 + i)))));
    }
    Path out = tmp.resolve("out");
    AssetVersion one;
    AssetVersion two;
    try (AssetClient c = client("cache")) {
      one = c.newAsset("models").add(list(v1)).alias("m").upload();
      two = c.newAsset("models").add(list(v2)).alias("m").upload();
    }
    int mixed = 0;
    int torn = 0;
    for (int trial = 0; trial < trials; trial++) {
      try (AssetClient c = client("cache")) {
        c.download(one).force().to(out);
      }
      int swapped = newBeforeKill.applyAsInt(trial);
      Process child = worker("force", "cache-child-" + trial, "models", "m", out, 30);
      await(child, swapped + " new files and a temporary file",
          () -> count(out, newDigests) >= swapped && !tempFiles(out).isEmpty());
      Thread.sleep(extraMillis.applyAsInt(trial));
      kill(child);

      int fresh = 0;
      for (String name : newDigests.keySet()) {
        Digest d = Digest.sha256(Files.readAllBytes(out.resolve(name)));
        if (d.equals(newDigests.get(name))) {
          fresh++;
        } else if (!d.equals(oldDigests.get(name))) {
          torn++;
        }
      }
      if (fresh > 0 && fresh < files) {
        mixed++;
      }
      try (AssetClient c = client("cache")) {
        DownloadResult r = c.download(two).force().into(out);
        assertEquals(files - fresh, r.replaced().size(), "the files still old are reported replaced: " + r);
      }
      assertEquals(files, count(out, newDigests), "the next run finished the swap");
      assertEquals(List.of(), tempFiles(out), "and left no temporary file");
    }
    assertEquals(0, torn, "files neither wholly old nor wholly new, over " + trials + " kills");
    assertTrue(mixed > 0, "some kill landed in the middle of the swap (" + mixed + " of " + trials + ")");
  }

  private static Path[] list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toArray(Path[]::new);
    }
  }

  private static int count(Path out, Map<String, Digest> digests) throws IOException {
    int n = 0;
    for (Map.Entry<String, Digest> e : digests.entrySet()) {
      Path p = out.resolve(e.getKey());
      if (Files.isRegularFile(p) && Digest.sha256(Files.readAllBytes(p)).equals(e.getValue())) {
        n++;
      }
    }
    return n;
  }
}
