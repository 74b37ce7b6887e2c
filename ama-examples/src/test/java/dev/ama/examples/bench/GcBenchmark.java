package dev.ama.examples.bench;

import dev.ama.AssetClient;
import dev.ama.GcOptions;
import dev.ama.GcReport;
import dev.ama.TransferSettings;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * gc's cost on S3Proxy (or an in-process memory store, with {@code --in-process}): builds a store of N versions (default 1,000) with B blobs each (default
 * 10) under N/2 aliases of two entries each, then runs a dry run with the whole history kept, a
 * dry run with {@code --keep-last 1}, and the deleting run, counting requests by kind. Objects are
 * reported two days older than they are, as S3 cannot backdate them.
 *
 * <p>Run: {@code bench/gc.sh [versions] [blobsPerVersion] [--in-memory|--in-process]}.
 */
public final class GcBenchmark {
  private GcBenchmark() {}

  /** Reports every object present when built as two days old. */
  static final class Aged extends ForwardingStorage {
    private final java.util.Set<String> old = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Aged(Storage delegate) {
      super(delegate);
    }

    void ageAll() throws IOException {
      try (Stream<ObjectInfo> s = delegate().list("")) {
        s.forEach(o -> old.add(o.key()));
      }
    }

    private ObjectInfo age(ObjectInfo o) {
      return old.contains(o.key()) ? new ObjectInfo(o.key(), o.size(), o.lastModified().minus(Duration.ofHours(48))) : o;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
      return super.stat(key).map(this::age);
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
      return super.list(prefix, startAfter).map(this::age);
    }
  }

  public static void main(String[] args) throws Exception {
    // S3Proxy's filesystem provider rescans its folder for every page of a listing, which makes
    // listings quadratic in the store's size; --in-memory keeps the objects in its heap instead,
    // and --in-process skips HTTP altogether, for request counts at the full size.
    List<String> sizes = java.util.Arrays.stream(args).filter(a -> !a.startsWith("--")).toList();
    int versions = sizes.size() > 0 ? Integer.parseInt(sizes.get(0)) : 1000;
    int blobs = sizes.size() > 1 ? Integer.parseInt(sizes.get(1)) : 10;
    Path work = Files.createTempDirectory("ama-gc-bench");
    try (BenchStore store = BenchStore.open(args)) {
      Storage raw = store.storage();
      long t0 = System.nanoTime();
      build(raw, work, versions, blobs);
      System.out.printf(Locale.ROOT, "built %d versions x %d blobs under %d aliases on %s in %.1f s; %d cores, Java %s%n",
          versions, blobs, versions / 2, store.description(), (System.nanoTime() - t0) / 1e9,
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
      Aged aged = new Aged(raw);
      aged.ageAll();
      VerifyBenchmark.PageCounting paged = new VerifyBenchmark.PageCounting(aged);
      CountingStorage counting = new CountingStorage(paged);
      System.out.println();
      System.out.println("| run | live versions | alias entries | manifest reads | entry reads | listings (S3 pages) | other | all requests | per live version | wall (s) |");
      System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
      run(counting, paged, work, "dry run, whole history", GcOptions.dryRun());
      run(counting, paged, work, "dry run, --keep-last 1", GcOptions.dryRun().keepLast(1));
      run(counting, paged, work, "--keep-last 1 --yes", GcOptions.dryRun().keepLast(1).deleting());
    }
  }

  private static void run(CountingStorage counting, VerifyBenchmark.PageCounting paged, Path work, String name,
      GcOptions options) throws Exception {
    try (AssetClient c = AssetClient.builder().storage(counting).user("gc").cache(Files.createTempDirectory(work, "c"))
        .transfers(TransferSettings.DEFAULTS.withConcurrency(16)).build()) {
      counting.reset();
      paged.pages.set(0);
      long t0 = System.nanoTime();
      GcReport r = c.gc(options);
      double s = (System.nanoTime() - t0) / 1e9;
      Map<String, Long> counts = new TreeMap<>(counting.counts());
      long all = counts.values().stream().mapToLong(Long::longValue).sum();
      long manifests = counts.getOrDefault("open manifests/", 0L);
      long entries = counts.getOrDefault("open aliases/", 0L);
      long lists = counts.entrySet().stream().filter(e -> e.getKey().startsWith("list")).mapToLong(Map.Entry::getValue).sum();
      // Requests count each listing as the pages S3 takes for it (1,000 keys each).
      long pages = paged.pages.get();
      long requests = all - lists + pages;
      System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %d (%d) | %d | %d | %.2f | %.1f |%n", name, r.keptVersions(),
          r.aliasEntries(), manifests, entries, lists, pages, all - manifests - entries - lists, requests,
          (double) requests / Math.max(1, r.keptVersions()), s);
      System.err.println(name + ": " + counts + "; collectable " + r.collectable() + "; notes " + r.notes());
    }
  }

  private static void build(Storage raw, Path work, int versions, int blobs) throws Exception {
    try (AssetClient client = AssetClient.builder().newStoreFormat(1).storage(raw).user("bench").cache(work.resolve("build-cache"))
        .transfers(TransferSettings.DEFAULTS.withConcurrency(4)).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> jobs = new ArrayList<>();
      for (int i = 0; i < versions; i++) {
        int n = i;
        jobs.add(pool.submit(() -> {
          Path dir = Files.createDirectories(work.resolve("v" + n));
          var upload = client.newAsset("rnn_models").alias("m_" + (n / 2));
          for (int b = 0; b < blobs; b++) {
            upload.add(Files.writeString(dir.resolve("f" + b + ".bin"), "version " + n + " file " + b));
          }
          return upload.upload();
        }));
      }
      for (Future<?> j : jobs) {
        j.get();
      }
      pool.shutdown();
    }
  }
}
