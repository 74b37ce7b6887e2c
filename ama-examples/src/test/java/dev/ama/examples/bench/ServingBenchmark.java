package dev.ama.examples.bench;

import dev.ama.AliasExpectation;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.AssetWatch;
import dev.ama.LoadedAsset;
import dev.ama.WatchOptions;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.FileSystemStorage;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The serving benchmark (bench/serving.sh, docs/performance.md#serving):
 *
 * <ol>
 *   <li>{@code AssetWatch.current()}: p50, p99 and p99.9 of single calls timed with {@code
 *       System.nanoTime()} after a warm-up, against the same timing of an empty body (the timer's
 *       own cost), and the store requests made meanwhile;
 *   <li>a warm {@code client.load(type, alias)} of a cached version on a filesystem store: the same
 *       percentiles, against the alias resolution alone ({@code client.alias}) as the baseline, and
 *       the requests per load;
 *   <li>the time from an alias move to the swap, against S3Proxy, for a model of {@code --size}
 *       (default 200 MiB), against the poll interval plus the transfer of the same version alone
 *       (a load into an empty cache), measured in the same run just before each move and just after
 *       its swap.
 * </ol>
 *
 * <p>Options: {@code --size MiB}, {@code --poll SECONDS} (default 2), {@code --rounds N} (default
 * 3), {@code --samples N} (warm loads timed, default 20,000), {@code --no-s3}.
 */
public final class ServingBenchmark {
  private static long sink;

  public static void main(String[] args) throws Exception {
    int sizeMiB = 200;
    int pollSeconds = 2;
    int rounds = 3;
    int samples = 20_000;
    boolean s3 = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size" -> sizeMiB = Integer.parseInt(args[++i]);
        case "--poll" -> pollSeconds = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--samples" -> samples = Integer.parseInt(args[++i]);
        case "--no-s3" -> s3 = false;
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; use --size MiB, --poll SECONDS, --rounds N, --samples N, --no-s3");
      }
    }
    Path work = Files.createTempDirectory("ama-serving-bench");
    System.out.println("## Serving benchmark (" + Runtime.getRuntime().availableProcessors() + " cores, Java "
        + System.getProperty("java.version") + ")");
    System.out.println();
    onFileSystem(work.resolve("fs"), samples);
    if (s3) {
      moveToSwap(work.resolve("s3"), sizeMiB, Duration.ofSeconds(pollSeconds), rounds);
    }
    System.out.println();
    System.out.println("(sink " + (sink & 1) + ")");
  }

  // ------------------------------------------------------------ current() and warm load

  private static void onFileSystem(Path work, int samples) throws Exception {
    CountingStorage counting = new CountingStorage(new FileSystemStorage(work.resolve("store")));
    try (AssetClient client = AssetClient.builder().storage(counting).user("bench").cache(work.resolve("cache")).build()) {
      Path dir = Files.createDirectories(work.resolve("model"));
      var upload = client.newAsset("models").alias("prod");
      upload.add(randomFile(dir.resolve("model.h5"), 4L << 20, 1));
      upload.add(Files.writeString(dir.resolve("model.yml"), "layers: 3\n"));
      upload.add(Files.writeString(dir.resolve("summary.json"), "{\"loss\": 0.1}\n"));
      upload.upload();

      try (AssetWatch watch = client.watch("models", "prod")) {
        for (int i = 0; i < 20_000_000; i++) {
          sink += watch.current().hashCode();
        }
        counting.reset();
        int n = 2_000_000;
        long[] calls = new long[n];
        long[] empty = new long[n];
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          LoadedAsset a = watch.current();
          long t1 = System.nanoTime();
          calls[i] = t1 - t0;
          sink += a.hashCode();
          long t2 = System.nanoTime();
          long t3 = System.nanoTime();
          empty[i] = t3 - t2;
        }
        long requests = counting.counts().values().stream().mapToLong(Long::longValue).sum();
        long batch = System.nanoTime();
        for (int i = 0; i < 100_000_000; i++) {
          sink += watch.current().hashCode();
        }
        double perCall = (System.nanoTime() - batch) / 1e8;
        System.out.println("### current() on a watch (filesystem store)");
        System.out.println();
        System.out.println("| timed | calls | p50 (µs) | p99 (µs) | p99.9 (µs) | store requests |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        row("current(), one call per timing", calls, requests);
        row("empty body (the timer alone, baseline)", empty, 0);
        System.out.printf(Locale.ROOT, "%nIn a loop of 10^8 calls: %.1f ns per call (timer not included).%n%n", perCall);
      }

      // Warm load: the version is in the cache; each load resolves the alias on the store.
      for (int i = 0; i < 3_000; i++) {
        try (LoadedAsset a = client.load("models", "prod")) {
          sink += a.version().hashCode();
        }
        sink += client.alias("models", "prod").orElseThrow().seq();
      }
      long[] loads = new long[samples];
      long[] resolutions = new long[samples];
      counting.reset();
      for (int i = 0; i < samples; i++) {
        long t0 = System.nanoTime();
        try (LoadedAsset a = client.load("models", "prod")) {
          sink += a.version().hashCode();
        }
        loads[i] = System.nanoTime() - t0;
      }
      double loadRequests = counting.counts().values().stream().mapToLong(Long::longValue).sum() / (double) samples;
      String loadCounts = counting.counts().toString();
      // The same while another holder keeps the version's lock file open, as a watch does: the
      // hold is then a counter, not an open, lock and close of the lock file.
      long[] heldLoads = new long[samples];
      try (LoadedAsset elsewhere = client.load("models", "prod")) {
        for (int i = 0; i < samples; i++) {
          long t0 = System.nanoTime();
          try (LoadedAsset a = client.load("models", "prod")) {
            sink += a.version().hashCode();
          }
          heldLoads[i] = System.nanoTime() - t0;
        }
        sink += elsewhere.hashCode();
      }
      counting.reset();
      for (int i = 0; i < samples; i++) {
        long t0 = System.nanoTime();
        sink += client.alias("models", "prod").orElseThrow().seq();
        resolutions[i] = System.nanoTime() - t0;
      }
      double aliasRequests = counting.counts().values().stream().mapToLong(Long::longValue).sum() / (double) samples;
      System.out.println("### Warm load of a cached version (filesystem store, alias resolved on every load)");
      System.out.println();
      System.out.println("| timed | calls | p50 (µs) | p99 (µs) | p99.9 (µs) | store requests per call |");
      System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
      rowPerCall("client.load(type, alias), closed each time", loads, loadRequests);
      rowPerCall("the same, the version held elsewhere meanwhile", heldLoads, loadRequests);
      rowPerCall("client.alias(type, alias) alone (baseline)", resolutions, aliasRequests);
      System.out.println();
      System.out.println("Requests of the loads: " + loadCounts);
      System.out.printf(Locale.ROOT, "p50 ratio load / resolution alone: %.2f%n%n",
          percentile(loads, 0.50) / (double) percentile(resolutions, 0.50));
    }
  }

  private static void row(String name, long[] ns, long requests) {
    System.out.printf(Locale.ROOT, "| %s | %,d | %.3f | %.3f | %.3f | %d |%n", name, ns.length,
        percentile(ns, 0.50) / 1e3, percentile(ns, 0.99) / 1e3, percentile(ns, 0.999) / 1e3, requests);
  }

  private static void rowPerCall(String name, long[] ns, double requests) {
    System.out.printf(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f | %.2f |%n", name, ns.length,
        percentile(ns, 0.50) / 1e3, percentile(ns, 0.99) / 1e3, percentile(ns, 0.999) / 1e3, requests);
  }

  private static long percentile(long[] ns, double q) {
    long[] sorted = ns.clone();
    Arrays.sort(sorted);
    return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
  }

  // ------------------------------------------------------------ move to swap on S3Proxy

  private static void moveToSwap(Path work, int sizeMiB, Duration poll, int rounds) throws Exception {
    long size = (long) sizeMiB << 20;
    try (S3ProxyServer server = S3ProxyServer.startOnDisk(S3ProxyServer.findJar())) {
      String bucket = server.createBucket();
      String uri = server.storeUri(bucket, "store");
      try (Storage storage = Storages.open(uri, server.credentials());
          AssetClient publisher = AssetClient.builder().storage(storage).user("ci").cache(work.resolve("ci-cache")).build();
          AssetClient serving = AssetClient.builder().storage(storage).user("server").cache(work.resolve("serving")).build()) {
        publisher.newAsset("models").alias("prod").add(randomFile(work.resolve("v0/model.h5"), size, 100)).upload();
        BlockingQueue<Long> swaps = new ArrayBlockingQueue<>(16);
        WatchOptions options = WatchOptions.defaults().pollInterval(poll).listener(new AssetWatch.Listener() {
          @Override
          public void moved(LoadedAsset from, LoadedAsset to) {
            swaps.add(System.nanoTime());
          }

          @Override
          public void moveFailed(AssetWatch.MoveFailure failure) {
            System.err.println(failure.message());
          }
        });
        System.out.println("### Alias move to swap on S3Proxy (" + sizeMiB + " MiB model, poll every "
            + poll.toSeconds() + " s)");
        System.out.println();
        System.out.println("| round | transfer alone, before and after (s) | poll + mean transfer (s) | move to swap (s) | swap / (poll + transfer) |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        try (AssetWatch watch = serving.watch("models", "prod", options)) {
          for (int r = 1; r <= rounds; r++) {
            Path f = randomFile(work.resolve("v" + r + "/model.h5"), size, 100 + r);
            AssetVersion v = publisher.newAsset("models").alias("candidate").add(f).upload();
            Files.delete(f);
            // The transfer alone: the same version loaded into an empty cache, just before the move
            // and again just after the swap; the machine's load moves it, so both are shown.
            double before = transferAlone(storage, work);
            long moved = System.nanoTime();
            publisher.setAlias("models", "prod", v, AliasExpectation.any());
            Long swapped = swaps.poll(poll.toSeconds() * 10 + 300, TimeUnit.SECONDS);
            if (swapped == null) {
              throw new IllegalStateException("round " + r + ": no swap");
            }
            double lag = (swapped - moved) / 1e9;
            double after = transferAlone(storage, work);
            double transfer = (before + after) / 2;
            double bound = poll.toMillis() / 1e3 + transfer;
            System.out.printf(Locale.ROOT, "| %d | %.2f, %.2f | %.2f | %.2f | %.2f |%n", r, before, after, bound, lag,
                lag / bound);
            if (!watch.current().version().equals(v.version())) {
              throw new IllegalStateException("round " + r + ": the watch serves " + watch.current().version());
            }
          }
        }
      }
    }
  }

  private static double transferAlone(Storage storage, Path work) throws Exception {
    try (AssetClient alone = AssetClient.builder().storage(storage).user("bench")
        .cache(Files.createTempDirectory(work, "alone")).build()) {
      long t0 = System.nanoTime();
      alone.load("models", "candidate").close();
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  private static Path randomFile(Path p, long size, long seed) throws Exception {
    Files.createDirectories(p.getParent());
    Random random = new Random(seed);
    byte[] buf = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(p)) {
      for (long left = size; left > 0; left -= buf.length) {
        random.nextBytes(buf);
        out.write(buf, 0, (int) Math.min(buf.length, left));
      }
    }
    return p;
  }

  private ServingBenchmark() {}
}
