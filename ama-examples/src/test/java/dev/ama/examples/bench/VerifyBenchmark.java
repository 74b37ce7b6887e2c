package dev.ama.examples.bench;

import dev.ama.AssetClient;
import dev.ama.VerifyOptions;
import dev.ama.VerifyReport;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * How many requests and how long {@code verify} takes on a large store on S3Proxy (or, with
 * {@code --in-process}, an in-process memory store, for the request counts alone): builds a store
 * of N model versions of F distinct files each (each version refs one of N/100 datasets), then runs
 * a shallow and a deep verify through a {@link CountingStorage}, each with a fresh client and cache.
 * Run with {@code bench/verify.sh [--versions N] [--files F] [--file-size BYTES] [--in-memory|--in-process]}; see
 * docs/performance.md.
 */
public final class VerifyBenchmark {
  private VerifyBenchmark() {}

  /** S3's page of a listing: ListObjectsV2 returns at most this many keys per request. */
  static final int LIST_PAGE = 1000;

  /** One measured verify; {@code requests} counts each listing as the pages it took. */
  record Figure(String mode, VerifyReport report, Map<String, Long> requests, long listPages, double seconds) {
    long total() {
      return requests.entrySet().stream().filter(e -> !e.getKey().startsWith("list "))
          .mapToLong(Map.Entry::getValue).sum() + listPages;
    }
  }

  /**
   * Counts the pages listings take: the storage SPI hands out one lazy stream per listing, and
   * S3Storage fetches a page of {@value #LIST_PAGE} keys per request as it is consumed.
   */
  static final class PageCounting extends ForwardingStorage {
    final AtomicLong pages = new AtomicLong();

    PageCounting(Storage delegate) {
      super(delegate);
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) throws java.io.IOException {
      AtomicLong keys = new AtomicLong();
      return super.list(prefix, startAfter).peek(o -> keys.incrementAndGet())
          .onClose(() -> pages.addAndGet(Math.max(1, (keys.get() + LIST_PAGE - 1) / LIST_PAGE)));
    }
  }

  public static void main(String[] args) throws Exception {
    int versions = intOption(args, "--versions", 10_000);
    int files = intOption(args, "--files", 10);
    int fileSize = intOption(args, "--file-size", 1024);
    int writers = intOption(args, "--writers", 8);
    Path work = Files.createTempDirectory("ama-verify-bench");
    List<String> out = new ArrayList<>();
    try (BenchStore store = BenchStore.open(args)) {
      Storage storage = store.storage();
      PageCounting paged = new PageCounting(storage);
      CountingStorage counting = new CountingStorage(paged);
      long t0 = System.nanoTime();
      build(counting, work, versions, files, fileSize, writers);
      double buildSeconds = (System.nanoTime() - t0) / 1e9;
      long buildRequests = counting.counts().values().stream().mapToLong(Long::longValue).sum();
      List<Figure> figures = new ArrayList<>();
      double listing = listAll(storage);
      figures.add(measure(counting, paged, work, "shallow", VerifyOptions.DEFAULTS));
      figures.add(measure(counting, paged, work, "deep", VerifyOptions.DEFAULTS.withDeep()));
      figures.add(measure(counting, paged, work, "shallow, again", VerifyOptions.DEFAULTS));
      double listingAgain = listAll(storage);
      int datasets = datasets(versions);
      out.add(String.format(Locale.ROOT, "verify benchmark, %s: %d model versions × %d files of %d bytes + %d datasets"
          + " on %s; built in %.1f s with %d requests; %d cores, Java %s",
          Instant.now(), versions, files, fileSize, datasets, store.description(), buildSeconds, buildRequests,
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
      out.add("");
      out.add("| verify | versions | blobs | markers | alias entries | objects checked | requests | per version"
          + " | per object checked | by kind | time | problems |");
      out.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
      out.add(String.format(Locale.ROOT, "| listing alone (the 4 prefixes, no verify) | | | | | | | | | | %.1f s,"
          + " %.1f s after the verifies | |", listing, listingAgain));
      for (Figure f : figures) {
        VerifyReport.Checked c = f.report().checked();
        long objects = (long) c.aliasEntries() + c.versions() + c.blobs() + c.markers();
        int allVersions = versions + datasets;
        out.add(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %.2f | %.3f | %s | %.1f s | %d |",
            f.mode(), c.versions(), c.blobs(), c.markers(), c.aliasEntries(), objects, f.total(),
            f.total() / (double) allVersions, f.total() / (double) objects, kinds(f.requests()).replace("%PAGES%", Long.toString(f.listPages())), f.seconds(),
            f.report().problems().size()));
      }
    }
    out.forEach(System.out::println);
    Path results = Files.createDirectories(Path.of("target", "verify-bench"));
    Files.write(results.resolve("results-" + Instant.now().toString().replace(':', '-') + ".md"), out,
        StandardCharsets.UTF_8);
  }

  /** Lists the prefixes verify lists, consuming every key: the part of its time the server's listing takes. */
  private static double listAll(Storage storage) throws java.io.IOException {
    long t0 = System.nanoTime();
    for (String prefix : List.of("blobs/", "manifests/", "index/", "aliases/")) {
      try (Stream<ObjectInfo> s = storage.list(prefix)) {
        s.count();
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static int datasets(int versions) {
    return Math.max(1, versions / 100);
  }

  private static String kinds(Map<String, Long> requests) {
    List<String> parts = new ArrayList<>();
    requests.forEach((k, v) -> parts.add(k + " " + v));
    parts.add("(list pages " + "%PAGES%)");
    return String.join(", ", parts);
  }

  private static Figure measure(CountingStorage counting, PageCounting paged, Path work, String mode,
      VerifyOptions options) throws Exception {
    try (AssetClient client = AssetClient.builder().storage(counting).user("bench")
        .cache(Files.createTempDirectory(work, "cache")).build()) {
      counting.reset();
      paged.pages.set(0);
      long t0 = System.nanoTime();
      VerifyReport report = client.verify(options);
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (!report.ok()) {
        throw new IllegalStateException("the benchmark's store should verify: " + report.problems());
      }
      return new Figure(mode, report, counting.counts(), paged.pages.get(), seconds);
    }
  }

  private static void build(Storage storage, Path work, int versions, int files, int fileSize, int writers)
      throws Exception {
    int datasets = datasets(versions);
    try (AssetClient client = AssetClient.builder().storage(storage).user("bench")
        .cache(work.resolve("build-cache")).build()) {
      for (int d = 0; d < datasets; d++) {
        Path f = Files.writeString(Files.createDirectories(work.resolve("ds")).resolve("data.csv"), "dataset " + d + "\n");
        client.newAsset("datasets").add(f).alias("ds_" + d).upload();
      }
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      AtomicInteger done = new AtomicInteger();
      List<Future<?>> jobs = new ArrayList<>();
      for (int i = 0; i < versions; i++) {
        int n = i;
        jobs.add(pool.submit(() -> {
          Path dir = Files.createDirectories(work.resolve("m" + Thread.currentThread().getId()));
          var upload = client.newAsset("rnn_models").alias("m_" + n).ref("datasets", "ds_" + (n % datasets));
          for (int k = 0; k < files; k++) {
            byte[] content = new byte[fileSize];
            Arrays.fill(content, (byte) ('a' + k % 26));
            byte[] tag = ("version " + n + " file " + k + "\n").getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(tag, 0, content, 0, Math.min(tag.length, content.length));
            upload.add(Files.write(dir.resolve("part_" + k + ".bin"), content));
          }
          upload.upload();
          int d = done.incrementAndGet();
          if (d % Math.max(1, versions / 10) == 0) {
            System.err.printf(Locale.ROOT, "built %d of %d versions%n", d, versions);
          }
          return null;
        }));
      }
      for (Future<?> j : jobs) {
        j.get();
      }
      pool.shutdown();
    }
  }

  private static int intOption(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }
}
