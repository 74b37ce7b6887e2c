package dev.ama.ui;

import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.LineageGraph;
import dev.ama.VersionFilter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * How fast a warm dashboard answers on a large store (bench/ui.sh builds the 10,000-version
 * store of bench/scale.sh): each page's request over HTTP, against a baseline measured in the
 * same run, the client calls behind the same answer without HTTP and JSON. Prints a Markdown
 * table of medians. Run: {@code java -cp ... dev.ama.ui.DashboardBenchmark STORE_DIR [ROUNDS]}.
 */
public final class DashboardBenchmark {
  private DashboardBenchmark() {}

  /** Measures the store in {@code args[0]}, {@code args[1]} rounds (default 20). */
  public static void main(String[] args) throws Exception {
    Path store = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Path cache = Files.createTempDirectory("ama-ui-bench-cache");
    try (AssetClient client = AssetClient.builder().store(store.toString()).cache(cache).user("bench").build();
        DashboardServer ui = DashboardServer.start(client, 0)) {
      String token = ui.uri().getQuery().substring("token=".length());
      HttpClient http = HttpClient.newHttpClient();
      String type = "rnn_models";
      List<AssetVersion> newest = client.versions(type, VersionFilter.all().limit(1));
      AssetVersion one = newest.get(0);
      String id = URLEncoder.encode(one.version().toString(), StandardCharsets.UTF_8);
      long versions = client.types().stream().mapToLong(t -> client.versions(t).size()).sum();
      System.out.printf(Locale.ROOT, "store: %s, %d versions in %d types; %d rounds after one warm-up round%n%n",
          store, versions, client.types().size(), rounds);
      System.out.println("| request (page) | answer (bytes) | dashboard, median (ms) | client calls alone, median (ms) | ratio |");
      System.out.println("| --- | ---: | ---: | ---: | ---: |");
      List<Row> rows = List.of(
          new Row("/api/types (the type list)", "/api/types", client::types),
          new Row("/api/versions?type=rnn_models (first page of 50)", "/api/versions?type=" + type,
              () -> client.versions(type, VersionFilter.all().limit(51))),
          new Row("/api/version?id=... (one version's page)", "/api/version?id=" + id, () -> {
            AssetVersion v = client.versionByDigest(one.version().toString());
            client.aliasesOf(v);
            return client.lineage(v, LineageGraph.Direction.DOWNSTREAM, 1);
          }),
          new Row("/api/lineage?id=...&depth=3 (its graph)", "/api/lineage?id=" + id + "&depth=3", () -> {
            client.lineage(one, LineageGraph.Direction.UPSTREAM, 3);
            return client.lineage(one, LineageGraph.Direction.DOWNSTREAM, 3);
          }),
          new Row("/api/history?type=rnn_models&alias=... (a timeline)",
              "/api/history?type=" + type + "&alias=" + one.alias().orElseThrow(),
              () -> client.historyStatus(type, one.alias().orElseThrow())),
          new Row("/api/aliases?type=rnn_models (first page of 100 aliases of 10,000)", "/api/aliases?type=" + type, () -> {
            List<String> names = client.aliasNames(type);
            names.subList(0, Math.min(100, names.size())).forEach(a -> client.alias(type, a));
            return names;
          }),
          new Row("/api/aliases?type=rnn_models&q=m_99 (a search)", "/api/aliases?type=" + type + "&q=m_99", () -> {
            List<String> names = client.aliasNames(type).stream().filter(a -> a.contains("m_99")).toList();
            names.subList(0, Math.min(100, names.size())).forEach(a -> client.alias(type, a));
            return names;
          }));
      for (Row row : rows) {
        URI uri = URI.create("http://127.0.0.1:" + ui.port() + row.path);
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build();
        Callable<Integer> viaHttp = () -> {
          HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
          if (r.statusCode() != 200) {
            throw new IllegalStateException(row.path + " answered " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
          }
          return r.body().length;
        };
        int bytes = viaHttp.call();
        row.baseline.call();
        double[] dashboard = new double[rounds];
        double[] baseline = new double[rounds];
        // Interleaved, so a change in the machine's load touches both columns alike.
        for (int i = 0; i < rounds; i++) {
          long t0 = System.nanoTime();
          viaHttp.call();
          dashboard[i] = (System.nanoTime() - t0) / 1e6;
          t0 = System.nanoTime();
          row.baseline.call();
          baseline[i] = (System.nanoTime() - t0) / 1e6;
        }
        double d = median(dashboard);
        double b = median(baseline);
        System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.2f |%n", row.name, bytes, d, b, d / b);
      }
    }
  }

  private record Row(String name, String path, Callable<?> baseline) {}

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }
}
