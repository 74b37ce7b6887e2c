package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ama.AssetClient;
import dev.ama.AssetFile;
import dev.ama.AssetUpload;
import dev.ama.AssetVersion;
import dev.ama.Digest;
import dev.ama.spi.Storage;
import dev.ama.storage.s3.testing.FaultProxy.Fault;
import dev.ama.storage.s3.testing.FaultProxy.Plan;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.testing.StoreChecker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded storms of mixed network faults ({@link dev.ama.storage.s3.testing.FaultProxy.Plan#seeded})
 * under uploads, downloads and racing alias moves through {@link AssetClient} on S3. Whatever the
 * faults: an upload that reported success downloads byte-exact; a failed one left the store
 * consistent and completes when run again; every failure is a clear {@link
 * dev.ama.StoreException} or {@link dev.ama.IntegrityException}; every reported alias move is in
 * a dense history. The CI variant runs a fixed seed set; the long one, tagged {@code long}, runs
 * many more seeds on larger files ({@code bench/reliability.sh}). Each writes its figures to
 * {@code target/reliability/}.
 */
@ExtendWith({S3ProxyExtension.class, FaultyS3.Resolver.class})
class S3FaultTrialsTest {
  private static final String TYPE = "rnn_models";
  private static final String ALIAS = "my_model";
  private static final String SHARED = "shared";
  /** The chance that a request starts a fault; a quarter of faults persist for up to 8 more requests. */
  private static final double FAULT_PROBABILITY = 0.08;

  private static FaultyS3 s3;
  @TempDir Path tmp;

  @BeforeAll
  static void faultyS3(FaultyS3 faulty) {
    s3 = faulty;
  }

  /** What one variant did and saw, counted as it runs. */
  private static final class Figures {
    final String variant;
    int transferTrials;
    int moveRounds;
    final Map<String, int[]> outcomes = new java.util.TreeMap<>(); // operation -> {succeeded, failed clean}
    final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
    final Map<String, Integer> failureCauses = new java.util.TreeMap<>();
    long requests;
    int maxAttempts;

    final int leftoversAtStart;
    final Duration socketTimeout;

    Figures(String variant, Duration socketTimeout) {
      this.variant = variant;
      this.socketTimeout = socketTimeout;
      this.leftoversAtStart = s3.serverLeftovers();
    }

    synchronized void outcome(String operation, boolean succeeded) {
      outcomes.computeIfAbsent(operation, k -> new int[2])[succeeded ? 0 : 1]++;
    }

    /** Counts a clean failure by what its message says ended it. */
    synchronized void failure(Throwable e) {
      String m = String.valueOf(e.getMessage());
      String cause = m.contains("SlowDown") ? "503 SlowDown after every attempt"
          // A HEAD answer has no body, so a 500 to a HEAD carries no error code.
          : m.contains("InternalError") || m.contains("HTTP 500") ? "500 after every attempt"
          : m.contains("replaced while it was read") ? "object overwritten during a resumed read"
          : m.contains("connection to S3") ? "connection broken on every attempt"
          : e.getClass().getSimpleName() + ": " + m;
      failureCauses.merge(cause, 1, Integer::sum);
    }

    /** Adds the proxy's counters since the last call and sets them back to zero. */
    void collect() {
      s3.proxy.injected().forEach((f, n) -> faults.merge(f, n, Integer::sum));
      requests += s3.proxy.requests();
      maxAttempts = Math.max(maxAttempts, s3.proxy.maxAttemptsOfOneCall());
      s3.proxy.resetCounters();
    }

    String report(String setup, Duration took) {
      int total = faults.values().stream().mapToInt(Integer::intValue).sum();
      StringBuilder sb = new StringBuilder()
          .append("S3 under network faults, ").append(variant).append(" variant (S3FaultTrialsTest)\n")
          .append("  setup: ").append(setup).append('\n')
          .append("  trials: ").append(transferTrials).append(" upload+download, ").append(moveRounds)
          .append(" racing alias-move rounds; ").append(requests).append(" requests in ").append(took.toSeconds())
          .append("s\n")
          .append("  faults injected: ").append(total).append(" (")
          .append(faults.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")))
          .append(")\n");
      outcomes.forEach((op, n) -> sb.append("  ").append(op).append(": ").append(n[0]).append(" succeeded, ")
          .append(n[1]).append(" failed clean\n"));
      failureCauses.forEach((cause, n) -> sb.append("  failed clean: ").append(n).append(" x ").append(cause).append('\n'));
      sb.append("  partial-upload files S3Proxy left (hidden from the consistency check): ").append(s3.serverLeftovers() - leftoversAtStart)
          .append('\n');
      return sb.append("  most attempts of one call: ").append(maxAttempts).append(" of ").append(FaultyS3.MAX_ATTEMPTS)
          .append(" allowed (").append(Math.max(0, maxAttempts - 1)).append(" retries)\n").toString();
    }

    void write(String setup, Duration took) throws IOException {
      String text = report(setup, took);
      System.out.print(text);
      Path dir = Files.createDirectories(Path.of("target", "reliability"));
      Files.writeString(dir.resolve("S3FaultTrialsTest-" + variant + ".txt"), text, StandardCharsets.UTF_8);
    }
  }

  @Test
  void aFixedSeedSetOfFaultStormsLosesNothing() throws Exception {
    run(new Figures("ci", FaultyS3.SOCKET_TIMEOUT), 6, 6 << 20, 2, 3, 2);
  }

  @Test
  @Tag("long")
  void manyFaultStormsOnLargerFilesLoseNothing() throws Exception {
    // A longer timeout: 16 MiB files keep S3Proxy busy enough that answers take seconds.
    run(new Figures("long", Duration.ofSeconds(5)), 30, 16 << 20, 8, 4, 3);
  }

  private void run(Figures figures, int seeds, int fileSize, int moveRounds, int writers, int movesEach) throws Exception {
    long start = System.nanoTime();
    for (int seed = 1; seed <= seeds; seed++) {
      transferTrial(figures, seed, fileSize);
      figures.transferTrials++;
      figures.collect();
    }
    for (int round = 1; round <= moveRounds; round++) {
      aliasMoveRound(figures, round, writers, movesEach);
      figures.moveRounds++;
      figures.collect();
    }
    assertTrue(figures.faults.values().stream().mapToInt(Integer::intValue).sum() > seeds, "the storms injected faults");
    assertTrue(figures.maxAttempts <= FaultyS3.MAX_ATTEMPTS, "a call was tried " + figures.maxAttempts + " times");
    figures.write(seeds + " seeds, files of " + (fileSize >> 20) + " MiB plus two small ones (5 MiB parts), "
        + moveRounds + " rounds of " + writers + " writers x " + movesEach + " moves of one alias; fault probability "
        + FAULT_PROBABILITY + " per request; socketTimeout " + figures.socketTimeout.toMillis() + "ms, maxAttempts "
        + FaultyS3.MAX_ATTEMPTS, Duration.ofNanos(System.nanoTime() - start));
  }

  /** One upload and one download under a storm, then the same without faults to check what is there. */
  private void transferTrial(Figures figures, long seed, int fileSize) throws Exception {
    String prefix = "trials/" + figures.variant + "/" + seed;
    Path dir = tmp.resolve("trial-" + seed);
    Path src = dir.resolve("src");
    Map<String, byte[]> files = FaultyS3.writeFiles(src, seed, fileSize);
    Storage faulty = s3.faulty(prefix, figures.socketTimeout, FaultyS3.SMALL_PARTS);
    AssetClient uploader = s3.client(faulty, dir.resolve("cache-up"), "alice");

    s3.proxy.plan(Plan.seeded(seed, FAULT_PROBABILITY, Fault.all()));
    Optional<AssetVersion> uploaded = attempt(figures, "uploads", prefix, () -> upload(uploader, files, src, ALIAS));
    s3.proxy.plan(Plan.none());
    s3.assertConsistent(prefix, "after upload trial " + seed);
    AssetVersion version = uploaded.orElseGet(() -> upload(uploader, files, src, ALIAS));
    if (uploaded.isEmpty()) {
      figures.outcome("failed uploads run again without faults", true);
    }

    s3.proxy.plan(Plan.seeded(seed * 7919, FAULT_PROBABILITY, Fault.all()));
    AssetClient downloader = s3.client(faulty, dir.resolve("cache-down"), "bob");
    Path out = dir.resolve("out");
    Optional<Path> downloaded = attempt(figures, "downloads", prefix, () -> downloader.download(TYPE, ALIAS).to(out));
    s3.proxy.plan(Plan.none());
    FaultyS3.assertExactFiles(files, out, downloaded.isPresent());

    AssetClient checker = s3.client(s3.direct(prefix), dir.resolve("cache-check"), "carol");
    assertEquals(version.version(), checker.alias(TYPE, ALIAS).orElseThrow().version(), "the alias points at the upload");
    FaultyS3.assertExactFiles(files, checker.download(TYPE, ALIAS).to(dir.resolve("check")), true);
    s3.deletePrefix(prefix);
  }

  /**
   * Writers race to move one alias through the storm, each retrying a failed upload up to three
   * times as a user would; every move reported done must be in the alias's history, which stays
   * dense and names only versions the writers uploaded.
   */
  private void aliasMoveRound(Figures figures, int round, int writers, int movesEach) throws Exception {
    String prefix = "trials/" + figures.variant + "/moves-" + round;
    s3.proxy.plan(Plan.seeded(round * 104_729L, FAULT_PROBABILITY, Fault.all()));
    Map<Digest, String> attemptedConfigs = new ConcurrentHashMap<>();
    Set<Digest> reported = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        Storage storage = s3.faulty(prefix, figures.socketTimeout, FaultyS3.SMALL_PARTS);
        AssetClient client = s3.client(storage, tmp.resolve("moves-" + round + "-cache-" + w), "writer" + w);
        done.add(pool.submit(() -> {
          go.await();
          for (int m = 0; m < movesEach; m++) {
            Path src = tmp.resolve("moves-" + round + "-w" + writer + "-m" + m);
            Map<String, byte[]> files = FaultyS3.writeFiles(src, round * 1000L + writer * 100L + m, 2048);
            attemptedConfigs.put(Digest.sha256(files.get("params.yml")), writer + "/" + m);
            for (int tries = 1; tries <= 3; tries++) {
              Optional<AssetVersion> v = attempt(figures, "alias moves", prefix, () -> upload(client, files, src, SHARED));
              if (v.isPresent()) {
                reported.add(v.get().version());
                break;
              }
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
      s3.proxy.plan(Plan.none());
    }
    StoreChecker.Report report = s3.assertConsistent(prefix, "after alias-move round " + round);
    List<StoreChecker.AliasEntryView> history = report.aliasLogs().getOrDefault(TYPE + "/" + SHARED, List.of());
    Set<String> inHistory = history.stream().map(StoreChecker.AliasEntryView::version).collect(Collectors.toSet());
    for (Digest v : reported) {
      assertTrue(inHistory.contains(v.hex()), "the reported move to " + v + " is missing from the history " + history);
    }
    AssetClient reader = s3.client(s3.direct(prefix), tmp.resolve("moves-" + round + "-reader"), "reader");
    for (StoreChecker.AliasEntryView e : history) {
      AssetFile config = reader.version(Digest.sha256Hex(e.version())).file("params.yml").orElseThrow();
      if (!attemptedConfigs.containsKey(config.digest())) {
        fail("history entry " + e.seq() + " points at a version no writer uploaded: " + e);
      }
    }
    assertTrue(history.size() >= reported.size(), "history " + history.size() + " < reported moves " + reported.size());
    s3.deletePrefix(prefix);
  }

  private static AssetVersion upload(AssetClient client, Map<String, byte[]> files, Path src, String alias) {
    AssetUpload upload = client.newAsset(TYPE).alias(alias);
    files.keySet().forEach(name -> upload.add(name, src.resolve(name)));
    return upload.upload();
  }

  /** Runs an operation under faults: its result, or empty after checking that its failure is clear. */
  private static <T> Optional<T> attempt(Figures figures, String operation, String prefix, Supplier<T> op) {
    try {
      T result = op.get();
      figures.outcome(operation, true);
      return Optional.of(result);
    } catch (RuntimeException | Error e) {
      s3.assertClearFailure(e, prefix);
      figures.outcome(operation, false);
      figures.failure(e);
      return Optional.empty();
    }
  }
}
