package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ama.storage.FileSystemStorage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real separate JVMs sharing one local cache folder ({@link SharedCacheWorker}), one evicting
 * while another reads: a held version never changes under its reader, a killed holder's hold goes
 * with it, pins hold across processes, and concurrent prunes corrupt nothing.
 */
class SharedCacheProcessesTest {
  private static final int KB = 1024;
  /** Each version: a unique 512 KiB model and a 64 KiB file all versions share. */
  private static final long VERSION_BYTES = 576L * KB;
  private static final long CAP = 2 * VERSION_BYTES + VERSION_BYTES / 2;

  @TempDir Path tmp;
  private Path store;
  private Path cache;
  private final List<AssetVersion> versions = new ArrayList<>();

  @BeforeEach
  void sixVersionsSharingAFile() throws IOException {
    store = tmp.resolve("store");
    cache = tmp.resolve("cache");
    Random r = new Random(3);
    byte[] common = new byte[64 * KB];
    r.nextBytes(common);
    try (FileSystemStorage fs = new FileSystemStorage(store); AssetClient c = client(fs, -1)) {
      for (int i = 0; i < 6; i++) {
        byte[] model = new byte[512 * KB];
        r.nextBytes(model);
        Path dir = Files.createDirectories(tmp.resolve("src" + i));
        versions.add(c.newAsset("models").add(Files.write(dir.resolve("model.bin"), model),
            Files.write(dir.resolve("common.bin"), common)).alias("m" + i).upload());
      }
    }
  }

  private AssetClient client(FileSystemStorage fs, long cap) {
    AssetClient.Builder b = AssetClient.builder().storage(fs).user("t").cache(cache);
    return (cap < 0 ? b : b.cacheMax(cap)).build();
  }

  private Process worker(String... args) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
        "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xmx128m", SharedCacheWorker.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  /** Reads a worker's output until a line starting with {@code marker}; fails if it ends first. */
  private static String awaitLine(Process p, BufferedReader out, String marker, List<String> seen) throws IOException {
    String line;
    while ((line = out.readLine()) != null) {
      seen.add(line);
      if (line.startsWith(marker)) {
        return line;
      }
    }
    fail("worker ended before printing " + marker + ":\n" + String.join("\n", seen));
    return null;
  }

  private static BufferedReader output(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Waits for a churning worker and returns its DONE line; fails on a BAD line or a bad exit. */
  private static String finished(Process p) throws Exception {
    List<String> seen = new ArrayList<>();
    String done = awaitLine(p, output(p), "DONE", seen);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the worker exits");
    assertEquals(0, p.exitValue(), String.join("\n", seen));
    assertFalse(seen.stream().anyMatch(l -> l.startsWith("BAD")), String.join("\n", seen));
    return done;
  }

  private void assertEveryCachedFolderVerifies() {
    try (FileSystemStorage fs = new FileSystemStorage(store); AssetClient c = client(fs, -1)) {
      CacheAdmin.CheckReport r = c.cache().verify();
      assertTrue(r.ok(), "nothing in the shared cache is damaged: " + r);
      assertTrue(r.files() > 0 || c.cache().entries().isEmpty(), r.toString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aVersionHeldByAReaderInOneProcessNeverChangesWhileAnotherEvictsAroundIt() throws Exception {
    Process reader = worker(store.toString(), cache.toString(), Long.toString(CAP), "12", "m1,m2,m3", "keep", "m0");
    BufferedReader out = output(reader);
    awaitLine(reader, out, "READY", new ArrayList<>());
    CompletableFuture<String> done = CompletableFuture.supplyAsync(() -> {
      try {
        List<String> seen = new ArrayList<>();
        String line = awaitLine(reader, out, "DONE", seen);
        return seen.stream().anyMatch(l -> l.startsWith("BAD")) ? String.join("\n", seen) : line;
      } catch (IOException e) {
        return e.toString();
      }
    });
    int evicted = 0;
    int keptHeld = 0;
    try (FileSystemStorage fs = new FileSystemStorage(store); AssetClient c = client(fs, CAP)) {
      for (int round = 0; !done.isDone() && round < 2_000; round++) {
        // Held while loading, as Downloader.load holds: an unheld load can lose its folder midway.
        AssetVersion v = versions.get(2 + round % 4);
        try (CachePins.Hold h = CachePins.hold(cache, v.version())) {
          c.load("models", "m" + (2 + round % 4)).close();
        }
        CacheAdmin.PruneReport r = c.cache().prune(round % 2 == 0 ? 0 : CAP);
        evicted += r.evicted().size();
        keptHeld += r.kept().stream().filter(k -> k.version().equals(versions.get(0).version())).count();
      }
    }
    String line = done.get(60, TimeUnit.SECONDS);
    assertTrue(line.startsWith("DONE") && line.endsWith(" 0"), "the reader saw every file intact: " + line);
    assertTrue(reader.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, reader.exitValue());
    assertTrue(evicted > 10, "the other process really evicted around it: " + evicted);
    assertTrue(keptHeld > 0, "prunes found the reader's version held and kept it");
    assertEveryCachedFolderVerifies();
  }

  @Test
  void aKilledHoldersHoldGoesWithIt() throws Exception {
    Process holder = worker("hold", store.toString(), cache.toString(), "m0");
    try {
      awaitLine(holder, output(holder), "HELD", new ArrayList<>());
      try (FileSystemStorage fs = new FileSystemStorage(store); AssetClient c = client(fs, -1)) {
        CacheAdmin.PruneReport r = c.cache().prune(0);
        assertEquals(List.of(new CacheAdmin.Kept(versions.get(0).version(), CacheAdmin.Kept.Reason.HELD,
            VERSION_BYTES)), r.kept());
        assertTrue(c.cache().entries().get(0).held(), "listed as held by some process");
        holder.destroyForcibly();
        assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        CacheAdmin.PruneReport after = c.cache().prune(0);
        assertEquals(List.of(versions.get(0).version()), after.evicted(), after.toString());
      }
    } finally {
      holder.destroyForcibly();
    }
  }

  @Test
  void twoProcessesLoadingAndPruningAtOnceKeepPinsAndCorruptNothing() throws Exception {
    try (FileSystemStorage fs = new FileSystemStorage(store); AssetClient c = client(fs, -1)) {
      c.cache().pin("models", "m5");
    }
    Process a = worker(store.toString(), cache.toString(), Long.toString(CAP), "8", "m0,m1,m2,m3,m4");
    Process b = worker(store.toString(), cache.toString(), Long.toString(CAP), "8", "m4,m3,m2,m1,m0");
    String doneA = finished(a);
    String doneB = finished(b);
    assertTrue(doneA.startsWith("DONE 40 ") && doneB.startsWith("DONE 40 "), doneA + " / " + doneB);
    assertEveryCachedFolderVerifies();
    try (FileSystemStorage fs = new FileSystemStorage(store); AssetClient c = client(fs, CAP)) {
      assertTrue(c.cache().entries().stream().anyMatch(e -> e.version().equals(versions.get(5).version())
          && e.pinned() && e.complete()), "the pinned version survived both processes' prunes");
      CacheAdmin.PruneReport r = c.cache().prune();
      CacheAdmin.Usage u = c.cache().usage();
      assertTrue(u.bytes() <= CAP + u.keptBytes(), "after a prune, within the cap plus the pinned version: " + u
          + " " + r);
    }
  }
}
