package dev.ama.examples.bench;

import dev.ama.spi.Content;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * The minimal experiment behind docs/performance.md's "The S3 loopback puzzle": the AWS SDK over
 * its Apache 5 HTTP client (as {@code S3Storage} builds it), and AMA's S3 storage itself, putting
 * and getting small objects from S3Proxy on loopback, directly and through a {@link LatencyProxy}
 * that adds no delay, the SDK with its {@code Expect: 100-continue} on PUTs on and off. Each variant
 * runs in every round, interleaved, so the machine's load falls on all of them alike; the report
 * is the median of the rounds.
 *
 * <p>Run it with {@code bench/s3-loopback.sh [--objects 500] [--size 64KiB] [--threads 16]
 * [--rounds 3]}.
 */
public final class S3LoopbackExperiment {
  private S3LoopbackExperiment() {}

  /** One way of reaching S3Proxy: the plain SDK client, or AMA's own S3 storage. */
  private record Variant(String label, boolean viaProxy, boolean expectContinue, boolean ama) {}

  public static void main(String[] args) throws Exception {
    int objects = 500;
    long size = 64 << 10;
    int threads = 16;
    int rounds = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--objects" -> objects = Integer.parseInt(args[++i]);
        case "--size" -> size = TransferBenchmark.Options.size(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; options: --objects N, --size SIZE, --threads N, --rounds N");
      }
    }
    byte[] body = new byte[(int) size];
    new SplittableRandom(1).nextBytes(body);
    List<Variant> variants = List.of(
        new Variant("SDK direct, Expect: 100-continue (the SDK's default)", false, true, false),
        new Variant("SDK through LatencyProxy (0 ms), Expect: 100-continue", true, true, false),
        new Variant("SDK direct, no Expect: 100-continue", false, false, false),
        new Variant("SDK through LatencyProxy (0 ms), no Expect: 100-continue", true, false, false),
        new Variant("AMA's S3 storage direct", false, true, true),
        new Variant("AMA's S3 storage through LatencyProxy (0 ms)", true, true, true));
    Map<Variant, List<double[]>> times = new LinkedHashMap<>();
    try (S3ProxyServer s3 = S3ProxyServer.startOnDisk(S3ProxyServer.findJar());
        LatencyProxy proxy = LatencyProxy.start(s3.endpoint(), Duration.ZERO)) {
      System.out.printf(Locale.ROOT, "%d × %s, %d threads, %d rounds; S3Proxy pid %d%n", objects,
          TransferBenchmark.human(size), threads, rounds, s3.pid());
      for (int round = -1; round < rounds; round++) {
        for (Variant v : variants) {
          URI endpoint = v.viaProxy() ? proxy.endpoint() : s3.endpoint();
          String bucket = s3.createBucket();
          double up;
          double down;
          if (v.ama()) {
            try (Storage st = Storages.open(s3.storeUri(bucket, "store", endpoint), s3.credentials())) {
              up = timed(objects, threads, i -> st.putIfAbsent("o" + i, Content.ofBytes(body)));
              down = timed(objects, threads, i -> {
                try (InputStream in = st.open("o" + i)) {
                  in.readAllBytes();
                }
              });
            }
          } else {
            try (S3Client client = client(endpoint, v.expectContinue())) {
              up = timed(objects, threads, i -> client.putObject(b -> b.bucket(bucket).key("o" + i),
                  RequestBody.fromBytes(body)));
              down = timed(objects, threads, i -> client.getObjectAsBytes(b -> b.bucket(bucket).key("o" + i)));
            }
          }
          if (round >= 0) {
            times.computeIfAbsent(v, k -> new ArrayList<>()).add(new double[] {up, down});
          }
          System.out.printf(Locale.ROOT, "%s %s: PUT %.2f s, GET %.2f s; load %s%n",
              round < 0 ? "warm-up" : "round " + (round + 1), v.label(), up, down, loadAverage());
          s3.deletePrefix(bucket, "");
        }
      }
    }
    System.out.println("\n| variant | PUT (median) | GET (median) |\n|---|---:|---:|");
    times.forEach((v, t) -> System.out.printf(Locale.ROOT, "| %s | %.2f s | %.2f s |%n", v.label(),
        median(t, 0), median(t, 1)));
  }

  /** An S3 client as {@code S3Storage.open} builds one, with or without the 100-continue handshake. */
  private static S3Client client(URI endpoint, boolean expectContinue) {
    return S3Client.builder()
        .httpClient(Apache5HttpClient.builder().maxConnections(64).build())
        .endpointOverride(endpoint)
        .region(Region.of(S3ProxyServer.REGION))
        .forcePathStyle(true)
        .serviceConfiguration(S3Configuration.builder().expectContinueEnabled(expectContinue).build())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY_ID, S3ProxyServer.SECRET_ACCESS_KEY)))
        .build();
  }

  private interface Op {
    void run(int i) throws Exception;
  }

  private static double timed(int n, int threads, Op op) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long t = System.nanoTime();
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        fs.add(pool.submit(() -> {
          op.run(k);
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      return (System.nanoTime() - t) / 1e9;
    } finally {
      pool.shutdownNow();
    }
  }

  private static double median(List<double[]> t, int column) {
    double[] v = t.stream().mapToDouble(x -> x[column]).sorted().toArray();
    return v[v.length / 2];
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ")[0];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
