package dev.ama.examples.bench;

import dev.ama.AssetClient;
import dev.ama.LineageGraph;
import dev.ama.VersionFilter;
import dev.ama.storage.FileSystemStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How the queries of a store behave as it grows: builds a filesystem store with N versions
 * (default 10,000) of model assets made from 100 datasets, then times {@code find},
 * {@code lineage --downstream}, listing aliases and the newest versions, and counts the manifests
 * each reads. Run: {@code java -cp ... dev.ama.examples.bench.ScaleBenchmark [versions] [folder]}.
 */
public final class ScaleBenchmark {
  private ScaleBenchmark() {}

  /** One measured query. */
  public record Figure(String query, int answers, long manifestsRead, long requests, double millis) {}

  /** Builds the store (if it is not there yet) and measures the queries. */
  public static List<Figure> run(int versions, Path work) throws Exception {
    Path storeDir = work.resolve("store");
    Path files = Files.createDirectories(work.resolve("files"));
    int datasets = Math.max(1, versions / 100);
    if (!Files.exists(storeDir.resolve("ama-store.json"))) {
      build(versions, datasets, storeDir, files);
    }
    CountingStorage counting = new CountingStorage(new FileSystemStorage(storeDir));
    List<Figure> out = new ArrayList<>();
    Path shared = files.resolve("model.yml");
    // Each query gets a fresh client and local cache, so no query profits from another's reads.
    out.add(measure(counting, work, "find model.yml (in every 10th version)", c -> c.find(shared).size()));
    out.add(measure(counting, work, "lineage --downstream of one dataset", c ->
        c.lineage(c.version("datasets", "ds_0"), LineageGraph.Direction.DOWNSTREAM, 5).nodes().size()));
    out.add(measure(counting, work, "ls rnn_models --limit 20 (newest versions)", c ->
        c.versions("rnn_models", VersionFilter.all().limit(20)).size()));
    out.add(measure(counting, work, "ls datasets (aliases with targets)", c -> c.aliases("datasets").size()));
    out.add(measure(counting, work, "show rnn_models m_" + (versions / 2) + " (resolve alias)", c ->
        c.version("rnn_models", "m_" + (versions / 2)).files().size()));
    return out;
  }

  private interface Query {
    int run(AssetClient client) throws Exception;
  }

  private static Figure measure(CountingStorage counting, Path work, String name, Query q) throws Exception {
    try (AssetClient client = AssetClient.builder().storage(counting).user("bench")
        .cache(Files.createTempDirectory(work, "cache")).build()) {
      counting.reset();
      long t0 = System.nanoTime();
      int answers = q.run(client);
      double ms = (System.nanoTime() - t0) / 1e6;
      long requests = counting.counts().values().stream().mapToLong(Long::longValue).sum();
      return new Figure(name, answers, counting.count("open manifests/"), requests, ms);
    }
  }

  private static void build(int versions, int datasets, Path storeDir, Path files) throws Exception {
    Files.writeString(files.resolve("model.yml"), "layers: [lstm, lstm, dense]\nhidden: 256\n", StandardCharsets.UTF_8);
    try (AssetClient client = AssetClient.builder().storage(new FileSystemStorage(storeDir)).user("bench")
        .cache(storeDir.resolveSibling("build-cache")).build()) {
      for (int d = 0; d < datasets; d++) {
        Path f = Files.writeString(files.resolve("data_" + d + ".csv"), "dataset " + d + "\n");
        client.newAsset("datasets").add(f).alias("ds_" + d).upload();
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> jobs = new ArrayList<>();
      for (int i = 0; i < versions; i++) {
        int n = i;
        jobs.add(pool.submit(() -> {
          Path dir = Files.createDirectories(files.resolve("m" + n));
          Path weights = Files.writeString(dir.resolve("model.h5"), "weights " + n);
          var upload = client.newAsset("rnn_models").add(weights).alias("m_" + n).ref("datasets", "ds_" + (n % datasets));
          if (n % 10 == 0) {
            upload.add(files.resolve("model.yml"));
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

  /** Prints the figures as a Markdown table. */
  public static void main(String[] args) throws Exception {
    int versions = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("ama-scale");
    long t0 = System.nanoTime();
    List<Figure> figures = run(versions, work);
    System.out.printf(Locale.ROOT, "store: %s, %d model versions (built or reused in %.1f s)%n%n",
        work.resolve("store"), versions, (System.nanoTime() - t0) / 1e9);
    System.out.println("| query | answers | manifests read | storage requests | time (ms) |");
    System.out.println("| --- | ---: | ---: | ---: | ---: |");
    for (Figure f : figures) {
      System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.1f |%n", f.query(), f.answers(), f.manifestsRead(), f.requests(), f.millis());
    }
  }
}
