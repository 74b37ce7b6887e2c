package dev.ama;

import dev.ama.storage.FileSystemStorage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The cache churn benchmark of docs/performance.md, run by bench/cache-churn.sh: {@code versions}
 * versions of {@code mb} MiB each (one file) in a filesystem store, loaded in turn by two
 * processes ({@link SharedCacheWorker}) sharing one cache capped at {@code capMb} MiB, each
 * version held while its files are hashed against the manifest. Meanwhile this process samples the
 * cache every 20 ms: its size on disk (each inode once, temporary files of fetches included), the
 * versions held at that moment, and the version folders that disappeared since the last sample.
 *
 * <p>Usage: {@code CacheChurnBenchmark <workDir> [versions] [mb] [capMb] [rounds]}.
 */
public final class CacheChurnBenchmark {
  private CacheChurnBenchmark() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int versions = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int mb = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    long cap = (args.length > 3 ? Long.parseLong(args[3]) : 200) << 20;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    Path store = work.resolve("store");
    Path cache = work.resolve("cache");
    List<String> aliases = new ArrayList<>();
    Map<Digest, Long> sizes = new HashMap<>();
    long t0 = System.nanoTime();
    try (FileSystemStorage fs = new FileSystemStorage(store);
        AssetClient c = AssetClient.builder().storage(fs).user("bench").cache(work.resolve("upload-cache")).build()) {
      SplittableRandom r = new SplittableRandom(12);
      byte[] buf = new byte[1 << 20];
      for (int i = 0; i < versions; i++) {
        Path f = Files.createDirectories(work.resolve("src")).resolve("model.bin");
        try (OutputStream out = Files.newOutputStream(f)) {
          for (int m = 0; m < mb; m++) {
            for (int j = 0; j < buf.length; j += 8) {
              long x = r.nextLong();
              for (int k = 0; k < 8; k++) {
                buf[j + k] = (byte) (x >>> (8 * k));
              }
            }
            out.write(buf);
          }
        }
        AssetVersion v = c.newAsset("models").add(f).alias("v" + i).upload();
        sizes.put(v.version(), v.files().stream().mapToLong(AssetFile::size).sum());
        aliases.add("v" + i);
      }
    }
    System.out.printf("store: %d versions of %d MiB in %.1f s%n", versions, mb, (System.nanoTime() - t0) / 1e9);
    List<String> reversed = new ArrayList<>(aliases);
    java.util.Collections.reverse(reversed);
    // The second process goes the other way round, so the two meet and share versions midway.
    Process a = worker(store, cache, cap, rounds, aliases);
    Process b = worker(store, cache, cap, rounds, reversed);
    LocalCache sampled = new LocalCache(cache);
    AtomicBoolean running = new AtomicBoolean(true);
    long[] stats = new long[6]; // samples, max bytes, max over (bytes - held), max held, evictions, max versions
    Thread sampler = new Thread(() -> {
      Set<Digest> before = new HashSet<>();
      while (running.get()) {
        try {
          // Held before or after the walk: a version released during it was held when its bytes were seen.
          CacheEviction.Contents cc0 = sampled.eviction().scan();
          Set<Digest> held = sampled.eviction().held(cc0);
          CacheEviction.Contents cc = sampled.eviction().scan();
          held.addAll(sampled.eviction().held(cc));
          long heldBytes = held.stream().mapToLong(d -> sizes.getOrDefault(d, 0L)).sum();
          stats[0]++;
          stats[1] = Math.max(stats[1], cc.bytes);
          stats[2] = Math.max(stats[2], cc.bytes - heldBytes);
          if (System.getenv("CHURN_DEBUG") != null && cc.bytes - heldBytes > cap) {
            System.out.println("OVER " + (cc.bytes >> 20) + " held " + held.stream().map(Digest::shortHex).toList()
                + " folders " + cc.folders.keySet().stream().map(Digest::shortHex).toList() + " blobs "
                + cc.blobs.keySet().stream().map(Digest::shortHex).toList() + " sizes " + sizes.keySet().stream().map(Digest::shortHex).toList());
            try (var w = Files.walk(cache.resolve("tmp"))) { w.filter(Files::isRegularFile).forEach(x -> { try { System.out.println("   tmp " + x.getFileName() + " " + Files.size(x)); } catch (IOException e) { } }); }
          }
          stats[3] = Math.max(stats[3], heldBytes);
          for (Digest d : before) {
            if (!cc.folders.containsKey(d)) {
              stats[4]++;
            }
          }
          stats[5] = Math.max(stats[5], cc.folders.size());
          before = new HashSet<>(cc.folders.keySet());
          Thread.sleep(20);
        } catch (IOException e) {
          // A file removed while walking: the next sample sees the cache as it is then.
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    long start = System.nanoTime();
    sampler.start();
    String doneA = finished(a);
    String doneB = finished(b);
    double seconds = (System.nanoTime() - start) / 1e9;
    running.set(false);
    sampler.join();
    CacheAdmin.CheckReport check;
    try (FileSystemStorage fs = new FileSystemStorage(store);
        AssetClient c = AssetClient.builder().storage(fs).user("bench").cache(cache).build()) {
      check = c.cache().verify();
    }
    double mib = 1 << 20;
    System.out.printf("workers: %s / %s (loads, files checked while held, bad) in %.1f s%n", doneA, doneB, seconds);
    System.out.printf("cap %.0f MiB; samples %d; max on disk %.1f MiB (%.2f x cap); max on disk minus the versions held"
        + " at that moment %.1f MiB (%.2f x cap); max held %.1f MiB; version folders at most %d; evictions seen %d%n",
        cap / mib, stats[0], stats[1] / mib, stats[1] / (double) cap, stats[2] / mib, stats[2] / (double) cap,
        stats[3] / mib, stats[5], stats[4]);
    System.out.printf("after: cache verify %s (%d blobs, %d files)%n", check.ok() ? "ok" : "DAMAGED " + check.damaged(),
        check.blobs(), check.files());
    boolean ok = check.ok() && doneA.endsWith(" 0") && doneB.endsWith(" 0");
    System.exit(ok ? 0 : 1);
  }

  private static Process worker(Path store, Path cache, long cap, int rounds, List<String> aliases) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), "-Xmx256m",
        SharedCacheWorker.class.getName(), store.toString(), cache.toString(), Long.toString(cap),
        Integer.toString(rounds), String.join(",", aliases)).redirectErrorStream(true).start();
  }

  private static String finished(Process p) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    String done = "no DONE line";
    while ((line = out.readLine()) != null) {
      if (line.startsWith("DONE")) {
        done = line;
      } else if (!line.equals("READY")) {
        System.out.println("  worker: " + line);
      }
    }
    p.waitFor();
    return done + (p.exitValue() == 0 ? "" : " (exit " + p.exitValue() + ")");
  }
}
