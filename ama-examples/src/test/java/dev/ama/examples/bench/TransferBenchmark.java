package dev.ama.examples.bench;

import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.Digest;
import dev.ama.TransferListener;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageOptions;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * How fast AMA moves bytes, as ratios against baselines measured in the same run on the same
 * machine: a plain AWS SDK v2 loop, {@code rclone copy} (when installed) and {@code openssl dgst
 * -sha256}. One run starts its own S3Proxy (SigV4, files on disk in a temporary folder) and also
 * measures the filesystem store, the {@code ama} CLI's cold start, and re-uploading an unchanged
 * asset. Prints a Markdown table and saves it under {@code target/transfer-bench/}.
 *
 * <p>The many-small-files cases of issue 18 (first upload, download, a new version with one file
 * changed) run against rclone with default flags and with {@code --transfers 32} and against
 * aws-cli, at each round-trip time of {@code --rtt} (a {@link LatencyProxy} in front of S3Proxy),
 * and the report ends with the goals as measured. {@code --many N} uploads and downloads
 * N files of 4 KiB in a child JVM with a small heap.
 *
 * <p>Run it with {@code bench/transfer.sh [--quick]}; see docs/performance.md for every option and
 * for the method.
 */
public final class TransferBenchmark {
  private static final String TYPE_SMALL = "bench_small";
  private static final String TYPE_LARGE = "bench_large";
  private static final String TYPE_HASH = "bench_hash";
  private static final String RCLONE_REMOTE = CopyTool.RCLONE_REMOTE;

  private final Options o;
  private final Path work;
  private final List<Row> rows = new ArrayList<>();
  private final List<Goal> goals = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private S3ProxyServer s3;
  private S3Client sdk;
  private final List<Storage> opened = new ArrayList<>();
  private final List<CountingStorage> counters = new ArrayList<>();
  /** The format version the run's stores recorded, read back from the first one. */
  private String storeFormatUsed = "unknown";

  private TransferBenchmark(Options o, Path work) {
    this.o = o;
    this.work = work;
    // The machine is often shared: its load beside each run says how far to trust the figures.
    notes.add("load average (1, 5, 15 min) at the start: " + loadAverage());
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown (no /proc/loadavg)";
    }
  }

  // ------------------------------------------------------------------ options

  /** What to measure; {@code --quick} shrinks every size. */
  record Options(int files, long fileSize, long large, int hashFiles, long hashFileSize, int concurrency,
      boolean cli, Optional<Long> big, String heap, Path out, Optional<Path> workDir, Path root,
      SmallFilesOptions smallFileCases, Optional<Integer> storeFormat, boolean filesystemOnly, int rounds,
      boolean cliOnly) {

    static Options parse(String[] args) {
      int files = 2000;
      long fileSize = 64 << 10;
      long large = 1L << 30;
      int hashFiles = 32;
      long hashFileSize = 32L << 20;
      int concurrency = 0;
      boolean cli = true;
      Optional<Long> big = Optional.empty();
      String heap = "256m";
      Path out = Path.of("target", "transfer-bench");
      Optional<Path> workDir = Optional.empty();
      Path root = Path.of("..").toAbsolutePath().normalize();
      SmallFilesOptions.Parser smallFileCases = new SmallFilesOptions.Parser();
      Optional<Integer> storeFormat = Optional.empty();
      boolean filesystemOnly = false;
      boolean cliOnly = false;
      int rounds = 3;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        int last = smallFileCases.parse(args, i);
        if (last >= 0) {
          i = last;
          continue;
        }
        switch (a) {
          case "--quick" -> {
            files = 200;
            large = 64L << 20;
            hashFileSize = 2L << 20;
          }
          case "--files" -> files = Integer.parseInt(args[++i]);
          case "--file-size" -> fileSize = size(args[++i]);
          case "--large" -> large = size(args[++i]);
          case "--hash-files" -> hashFiles = Integer.parseInt(args[++i]);
          case "--hash-file-size" -> hashFileSize = size(args[++i]);
          case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
          case "--no-cli" -> cli = false;
          case "--big" -> big = Optional.of(size(args[++i]));
          case "--heap" -> heap = args[++i];
          case "--out" -> out = Path.of(args[++i]);
          case "--work" -> workDir = Optional.of(Path.of(args[++i]));
          case "--root" -> root = Path.of(args[++i]).toAbsolutePath().normalize();
          case "--filesystem-only" -> filesystemOnly = true;
          case "--cli-only" -> cliOnly = true;
          case "--rounds" -> rounds = Integer.parseInt(args[++i]);
          case "--store-format" -> storeFormat = Optional.of(storeFormat(i + 1 < args.length ? args[++i] : null));
          default -> throw new IllegalArgumentException("unknown option " + a + "; options: --quick, --files N,"
              + " --file-size SIZE, --large SIZE, --hash-files N, --hash-file-size SIZE, --concurrency N, --no-cli,"
              + " --big SIZE [--heap 256m], " + SmallFilesOptions.Parser.USAGE
              + ", --store-format 1|2, --filesystem-only [--rounds 3], --cli-only, --out DIR, --work DIR, --root CHECKOUT");
        }
      }
      return new Options(files, fileSize, large, hashFiles, hashFileSize, concurrency, cli, big, heap, out, workDir,
          root, smallFileCases.build(), storeFormat, filesystemOnly, rounds, cliOnly);
    }

    /** The format of the stores the benchmark creates; without the option, the product's default. */
    private static int storeFormat(String value) {
      if ("1".equals(value) || "2".equals(value)) {
        return Integer.parseInt(value);
      }
      throw new IllegalArgumentException("--store-format takes 1 or 2 (the store format of every store the"
          + " benchmark creates), not " + (value == null ? "nothing" : "'" + value + "'")
          + "; leave it out for the product's default");
    }

    /** A size by the rule of every AMA option: {@code 64KiB}, {@code 1GB}, {@code 256m}, bytes; all binary. */
    static long size(String s) {
      return StorageOptions.parseSize(s);
    }
  }

  /** One line of the results table. */
  record Row(String operation, String store, String amaLabel, double amaSeconds, String baseline,
      double baselineSeconds, String unit, double amount, String target, String detail) {

    /** Baseline time over AMA's: above 1, AMA is faster. */
    double ratio() {
      return baselineSeconds / amaSeconds;
    }
  }

  // ------------------------------------------------------------------ main

  /** Runs the benchmark; see the class comment. */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--big-child")) {
      bigChild(args);
      return;
    }
    if (args.length > 0 && args[0].equals("--many-child")) {
      manyChild(args);
      return;
    }
    if (args.length > 0 && args[0].equals("--hash-child")) {
      hashChild(Path.of(args[1]));
      return;
    }
    Options o = Options.parse(args);
    Path work = o.workDir().isPresent()
        ? Files.createDirectories(o.workDir().get())
        : Files.createTempDirectory("ama-transfer-bench-");
    TransferBenchmark b = new TransferBenchmark(o, work);
    try {
      if (o.big().isPresent()) {
        b.runBig(o.big().get());
      } else if (o.smallFileCases().many().isPresent()) {
        b.runMany(o.smallFileCases().many().get());
      } else if (o.filesystemOnly()) {
        b.runFileSystem();
      } else {
        b.runAll();
      }
    } finally {
      b.close();
      if (o.workDir().isEmpty()) {
        deleteTree(work);
      }
    }
  }

  private void close() {
    for (Storage st : opened) {
      try {
        st.close();
      } catch (IOException e) {
        // Exiting anyway.
      }
    }
    if (sdk != null) {
      sdk.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private void runAll() throws Exception {
    String machine = machine();
    System.out.println("# AMA transfer benchmark\n\n" + machine + "\n");
    boolean all = !o.smallFileCases().smallFilesOnly() && !o.cliOnly();
    Path small = generateFiles(work.resolve("small"), o.files(), o.fileSize(), 1);
    Path large = generateFiles(work.resolve("large"), 1, all ? o.large() : 0, 2);
    Path hashSet = generateFiles(work.resolve("hashset"), all ? o.hashFiles() : 0, o.hashFileSize(), 3);
    backdate(small, large, hashSet);
    System.out.println("data: " + o.files() + " × " + human(o.fileSize()) + (all ? ", 1 × " + human(o.large()) + ", "
        + o.hashFiles() + " × " + human(o.hashFileSize()) : "") + " in " + work);

    s3 = S3ProxyServer.startOnDisk(S3ProxyServer.findJar());
    sdk = S3Client.builder()
        .endpointOverride(s3.endpoint())
        .region(Region.of(S3ProxyServer.REGION))
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY_ID, S3ProxyServer.SECRET_ACCESS_KEY)))
        .build();
    System.out.println("S3Proxy (filesystem provider, SigV4) at " + s3.endpoint() + ", pid " + s3.pid());
    boolean rclone = rcloneVersion().isPresent();
    if (!rclone) {
      notes.add("rclone is not installed: its baselines are skipped (Debian: apt-get install -y rclone)");
    }
    warmUp();
    if (o.cliOnly()) {
      // The CLI's cold rows alone: a few minutes, where the whole benchmark takes most of an hour.
      cliColdStart(small, rclone);
      report(machine);
      return;
    }

    if (all) {
      hashing(large, hashSet);
    }
    smallFiles(small);
    smallFilesOverNetwork(small, rclone);
    if (all) {
      largeFile(large, rclone);
      fileSystemStore(small, large);
    }
    if (all && o.cli()) {
      cliColdStart(small, rclone);
    }
    report(machine);
  }

  /** Only the filesystem store against {@code cp -r && sync}: issue 19's goals, no S3Proxy. */
  private void runFileSystem() throws Exception {
    String machine = machine();
    System.out.println("# AMA transfer benchmark, filesystem store only\n\n" + machine + "\n");
    Path small = generateFiles(work.resolve("small"), o.files(), o.fileSize(), 1);
    Path large = generateFiles(work.resolve("large"), 1, o.large(), 2);
    backdate(small, large);
    System.out.println("data: " + o.files() + " × " + human(o.fileSize()) + ", 1 × " + human(o.large()) + " in "
        + work + " on " + Files.getFileStore(work).type());
    fileSystemStore(small, large);
    report(machine);
  }

  // ------------------------------------------------------------------ measurements

  /** Runs every path once on little data so the JIT has compiled it before anything is timed. */
  private void warmUp() throws Exception {
    Path dir = generateFiles(work.resolve("warmup"), 300, 64 << 10, 9);
    generateFiles(dir.resolve("big"), 1, 40L << 20, 10);
    backdate(dir);
    String bucket = s3.createBucket();
    try (AssetClient c = amaS3(bucket, "warm")) {
      for (int i = 0; i < 3; i++) {
        c.newAsset("warmup").add(dir).alias("w").label("round", "" + i).upload();
        c.newAsset("warmup").add(dir).alias("w").label("round", "" + i).upload();
        c.download("warmup", "w").force().to(work.resolve("warmup-down"));
      }
      storeFormatUsed = storeFormat(opened.get(opened.size() - 1));
    }
    sdkUpload(bucket, "sdk/", dir, 1);
    sdkDownload(bucket, "sdk/", work.resolve("warmup-sdk"), 4);
    for (int i = 0; i < 3; i++) {
      try (InputStream in = Files.newInputStream(dir.resolve("big").resolve("f00000.bin"))) {
        Digest.sha256(in);
      }
    }
    deleteTree(dir);
    deleteTree(work.resolve("warmup-down"));
    deleteTree(work.resolve("warmup-sdk"));
  }

  private void hashing(Path largeDir, Path hashSet) throws Exception {
    Path file = only(largeDir);
    long size = Files.size(file);
    Digest expected = null;
    double ama = Double.MAX_VALUE;
    double openssl = Double.MAX_VALUE;
    // Best of three each, alternating, all reading from the page cache: this compares hashing,
    // not the disk.
    for (int i = 0; i < 3; i++) {
      long t = System.nanoTime();
      try (InputStream in = Files.newInputStream(file)) {
        expected = Digest.sha256(in);
      }
      ama = Math.min(ama, seconds(t));
      t = System.nanoTime();
      String out = run(List.of("openssl", "dgst", "-sha256", file.toString()), Map.of());
      openssl = Math.min(openssl, seconds(t));
      if (!out.contains(expected.hex())) {
        throw new IllegalStateException("openssl and AMA disagree on " + file + ": " + out + " vs " + expected);
      }
    }
    rows.add(new Row("hash 1 file of " + human(size), "-", "Digest.sha256 (warm JVM)", ama, "openssl dgst -sha256",
        openssl, "MB/s", size, "≥ 0.9×", "best of 3, page cache"));

    // The CLI's JVM flags (bin/ama) in a fresh JVM: what `ama upload` of a large file pays.
    for (String flags : List.of("-XX:TieredStopAtLevel=1", "-XX:+TieredCompilation")) {
      String label = flags.contains("=1")
          ? "fresh JVM, C1 JIT only (bin/ama's flag before)"
          : "fresh JVM, full JIT (bin/ama for upload/download now)";
      List<String> cmd = new ArrayList<>(List.of(javaBin(), "-XX:+UseSerialGC", flags, "-cp",
          System.getProperty("java.class.path"), TransferBenchmark.class.getName(), "--hash-child", file.toString()));
      String out = run(cmd, Map.of());
      double s = Double.parseDouble(out.trim().lines().reduce((a, b) -> b).orElseThrow());
      rows.add(new Row("hash 1 file of " + human(size), "-", label, s, "openssl dgst -sha256", openssl, "MB/s", size,
          "", flags + ", including JIT warm-up"));
    }

    // Many files: the hashing phase of an upload, on the transfer threads.
    long total = totalSize(hashSet);
    double[] window = new double[4];
    TransferListener timing = new TransferListener() {
      @Override
      public void started(Phase phase, int files, long bytes) {
        if (phase == Phase.HASHING) {
          window[0] = System.nanoTime();
          window[1] = processCpuNanos();
        }
      }

      @Override
      public void finished(Phase phase) {
        if (phase == Phase.HASHING) {
          window[2] = System.nanoTime();
          window[3] = processCpuNanos();
        }
      }
    };
    try (AssetClient c = client(Storages.open(work.resolve("hash-store").toString()), "hash", timing)) {
      c.newAsset(TYPE_HASH).add(hashSet).alias("h").upload();
    }
    double wall = (window[2] - window[0]) / 1e9;
    double cpu = (window[3] - window[1]) / 1e9;
    List<String> cmd = new ArrayList<>(List.of("openssl", "dgst", "-sha256"));
    try (Stream<Path> s = Files.list(hashSet)) {
      s.sorted().forEach(p -> cmd.add(p.toString()));
    }
    long t = System.nanoTime();
    run(cmd, Map.of());
    double seq = seconds(t);
    rows.add(new Row("hash " + o.hashFiles() + " files of " + human(o.hashFileSize()), "-",
        "upload's hashing phase, " + concurrency() + " threads", wall, "openssl dgst -sha256 (one process)", seq,
        "MB/s", total, "both cores",
        String.format(Locale.ROOT, "AMA CPU %.2f s / wall %.2f s = %.2f cores busy", cpu, wall, cpu / wall)));
  }

  private void smallFiles(Path small) throws Exception {
    int n = o.files();
    long bytes = totalSize(small);
    String what = n + " × " + human(o.fileSize());
    String amaBucket = s3.createBucket();
    Path amaCache = work.resolve("cache-small");

    Measured up;
    try (AssetClient c = amaS3(amaBucket, amaCache)) {
      up = measure(() -> c.newAsset(TYPE_SMALL).add(small).alias("small").upload());
    }
    // The re-upload is cheap and short, so one stall of this shared machine would decide it:
    // the median of three, each with a new client (as a new job would have).
    List<Measured> agains = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      try (AssetClient c = amaS3(amaBucket, amaCache)) {
        agains.add(measure(() -> c.newAsset(TYPE_SMALL).add(small).alias("small").upload()));
      }
    }
    agains.sort(Comparator.comparingDouble(Measured::seconds));
    Measured again = agains.get(1);
    Path amaDown = work.resolve("down-ama-small");
    Measured down;
    try (AssetClient c = amaS3(amaBucket, work.resolve("cache-small-down"))) {
      down = measure(() -> c.download(TYPE_SMALL, "small").to(amaDown));
    }
    verifySame(small, amaDown);

    String sdkBucket = s3.createBucket();
    Measured sdkUp = measure(() -> sdkUpload(sdkBucket, "small/", small, 1));
    Path sdkDown = work.resolve("down-sdk-small");
    Measured sdkDownT = measure(() -> sdkDownload(sdkBucket, "small/", sdkDown, 1));
    String sdkParBucket = s3.createBucket();
    Measured sdkParUp = measure(() -> sdkUpload(sdkParBucket, "small/", small, concurrency()));
    Path sdkParDown = work.resolve("down-sdkpar-small");
    Measured sdkParDownT = measure(() -> sdkDownload(sdkParBucket, "small/", sdkParDown, concurrency()));
    verifySame(small, sdkDown);

    add("upload " + what, "s3", "AMA", up, "AWS SDK putObject loop", sdkUp, "files/s", n, "");
    add("upload " + what, "s3", "AMA", up, "AWS SDK, " + concurrency() + " threads", sdkParUp, "files/s", n, "");
    add("download " + what, "s3", "AMA", down, "AWS SDK getObject loop", sdkDownT, "files/s", n, "");
    add("download " + what, "s3", "AMA", down, "AWS SDK, " + concurrency() + " threads", sdkParDownT, "files/s", n,
        "");
    rows.add(new Row("re-upload unchanged " + what, "s3", "AMA (new client, same cache; median of 3)", again.seconds,
        "AMA first upload", up.seconds, "files/s", n, "≤ 3% of first",
        String.format(Locale.ROOT, "%.1f%% of the first upload; %s", 100 * again.seconds / up.seconds, again.detail())));
    System.out.printf(Locale.ROOT, "small files: %d files, %s%n", n, human(bytes));
    deleteTree(amaDown);
    deleteTree(sdkDown);
    deleteTree(sdkParDown);
  }

  /**
   * Issue 18's small-file cases against the copy tools, at each round-trip time of {@code --rtt}:
   * the first upload, its download, and a new version with one file changed. A round trip above
   * zero puts a {@link LatencyProxy} between every client and S3Proxy, AMA and the tools alike.
   */
  private void smallFilesOverNetwork(Path small, boolean rclone) throws Exception {
    List<CopyTool> tools = new ArrayList<>();
    if (rclone) {
      tools.add(CopyTool.rclone(work));
      tools.add(CopyTool.rclone(work, 32));
    }
    Optional<String> aws = CopyTool.findAwsCli();
    if (aws.isPresent()) {
      tools.add(CopyTool.awsCli(work, aws.get()));
    } else {
      notes.add("aws-cli is not installed: its baselines are skipped (pip install awscli)");
    }
    for (int rtt : o.smallFileCases().rttsMillis()) {
      if (rtt == 0) {
        smallFilesAt(small, rtt, s3.endpoint(), tools);
      } else {
        try (LatencyProxy proxy = LatencyProxy.start(s3.endpoint(), Duration.ofMillis(rtt))) {
          smallFilesAt(small, rtt, proxy.endpoint(), tools);
        }
      }
    }
  }

  private void smallFilesAt(Path small, int rtt, URI endpoint, List<CopyTool> tools) throws Exception {
    int n = o.files();
    String what = n + " × " + human(o.fileSize());
    String net = rtt == 0 ? "s3, loopback" : "s3, " + rtt + " ms RTT";
    String bucket = s3.createBucket();
    Path cache = work.resolve("cache-rtt-" + rtt);
    Measured up;
    try (AssetClient c = amaS3(bucket, cache, endpoint)) {
      up = measure(() -> c.newAsset(TYPE_SMALL).add(small).alias("small").upload());
    }
    Path amaDown = work.resolve("down-ama-rtt-" + rtt);
    Measured down;
    try (AssetClient c = amaS3(bucket, work.resolve("cache-rtt-down-" + rtt), endpoint)) {
      down = measure(() -> c.download(TYPE_SMALL, "small").to(amaDown));
    }
    verifySame(small, amaDown);
    deleteTree(amaDown);
    Map<CopyTool, String> buckets = new LinkedHashMap<>();
    Map<CopyTool, Measured> toolUp = new LinkedHashMap<>();
    Map<CopyTool, Measured> toolDown = new LinkedHashMap<>();
    for (CopyTool t : tools) {
      String b = s3.createBucket();
      buckets.put(t, b);
      toolUp.put(t, measure(() -> t.upload(endpoint, small, b, "small")));
      Path dest = work.resolve("down-tool-rtt-" + rtt);
      toolDown.put(t, measure(() -> t.download(endpoint, b, "small", dest)));
      verifySame(small, dest);
      deleteTree(dest);
    }

    // One file rewritten in place, as a job that regenerates one shard of its output.
    Path changed;
    try (Stream<Path> s = Files.list(small)) {
      changed = s.sorted().skip(n / 2).findFirst().orElseThrow();
    }
    byte[] original = Files.readAllBytes(changed);
    FileTime originalTime = Files.getLastModifiedTime(changed);
    Measured amaChanged;
    String changedCalls;
    Map<CopyTool, Measured> toolChanged = new LinkedHashMap<>();
    try {
      byte[] flipped = original.clone();
      for (int i = 0; i < flipped.length; i++) {
        flipped[i] ^= (byte) 0xff;
      }
      Files.write(changed, flipped);
      // Older than the hash cache's two-second rule, so the changed file is the only one hashed.
      Files.setLastModifiedTime(changed, FileTime.from(Instant.now().minusSeconds(30)));
      Map<String, Long> before = requestsByKind();
      try (AssetClient c = amaS3(bucket, cache, endpoint)) {
        amaChanged = measure(() -> c.newAsset(TYPE_SMALL).add(small).alias("small").upload());
      }
      changedCalls = since(before);
      for (CopyTool t : tools) {
        toolChanged.put(t, measure(() -> t.update(endpoint, small, buckets.get(t), "small")));
      }
    } finally {
      Files.write(changed, original);
      Files.setLastModifiedTime(changed, originalTime);
    }

    for (CopyTool t : tools) {
      add("upload " + what, net, "AMA", up, t.label(), toolUp.get(t), "files/s", n, uploadTarget(rtt, t));
    }
    for (CopyTool t : tools) {
      boolean goal = t.label().equals("rclone copy") && (rtt == 0 || rtt == 20);
      add("download " + what, net, "AMA", down, t.label(), toolDown.get(t), "files/s", n, goal ? "≥ 2×" : "");
    }
    rows.add(new Row("new version, 1 of " + what + " changed", net, "AMA (same cache)", amaChanged.seconds,
        "AMA first upload", up.seconds, "files/s", n, "≤ 3% of first",
        String.format(Locale.ROOT, "%.1f%% of the first upload; %s (%s)", 100 * amaChanged.seconds / up.seconds,
            amaChanged.detail(), changedCalls)));
    for (CopyTool t : tools) {
      add("new version, 1 of " + what + " changed", net, "AMA (same cache)", amaChanged, t.updateLabel(),
          toolChanged.get(t), "files/s", n, "");
    }

    String at = rtt == 0 ? "on loopback" : "at " + rtt + " ms RTT";
    System.out.printf(Locale.ROOT, "small files %s: AMA up %.2f s, down %.2f s, 1 changed %.2f s; %s%n", at,
        up.seconds, down.seconds, amaChanged.seconds, loadAverage());
    for (CopyTool t : tools) {
      String target = uploadTarget(rtt, t);
      if (!target.isEmpty()) {
        double need = Double.parseDouble(target.replaceAll("[^0-9.]", ""));
        double ratio = toolUp.get(t).seconds / up.seconds;
        goals.add(new Goal("first upload " + target + " " + t.label() + " " + at,
            String.format(Locale.ROOT, "%.2f×", ratio), ratio >= need));
      }
    }
    goals.add(new Goal("first upload ≤ " + n / 50 + " requests (" + n + " / 50) " + at,
        String.format(Locale.ROOT, "%,d", up.requests), up.requests <= n / 50));
    CopyTool rcloneDefault = tools.stream().filter(t -> t.label().equals("rclone copy")).findFirst().orElse(null);
    if (rcloneDefault != null && (rtt == 0 || rtt == 20)) {
      double ratio = toolDown.get(rcloneDefault).seconds / down.seconds;
      goals.add(new Goal("download ≥ 2× rclone copy " + at, String.format(Locale.ROOT, "%.2f×", ratio),
          ratio >= 2));
    }
    goals.add(new Goal("new version, 1 file changed: ≤ 10 requests " + at,
        String.format(Locale.ROOT, "%,d", amaChanged.requests), amaChanged.requests <= 10));
    double share = amaChanged.seconds / up.seconds;
    goals.add(new Goal("new version, 1 file changed: ≤ 3% of the first upload's time " + at,
        String.format(Locale.ROOT, "%.1f%% (%.2f s of %.2f s)", 100 * share, amaChanged.seconds, up.seconds),
        share <= 0.03));
  }

  /** Issue 18's goal for AMA's first upload against {@code tool} at {@code rtt}, or "" if it names none. */
  private static String uploadTarget(int rtt, CopyTool tool) {
    if (tool.label().equals("rclone copy")) {
      return rtt == 0 ? "≥ 3×" : rtt == 20 ? "≥ 5×" : "";
    }
    return tool.label().equals("rclone copy --transfers 32") && rtt == 20 ? "≥ 1.5×" : "";
  }

  /** One of issue 18's goals as measured in this run. */
  record Goal(String goal, String measured, boolean met) {}

  private void largeFile(Path largeDir, boolean rclone) throws Exception {
    Path file = only(largeDir);
    long size = Files.size(file);
    String what = "1 file of " + human(size);
    String amaBucket = s3.createBucket();
    Measured up;
    try (AssetClient c = amaS3(amaBucket, work.resolve("cache-large"))) {
      up = measure(() -> c.newAsset(TYPE_LARGE).add(largeDir).alias("large").upload());
    }
    Path amaDown = work.resolve("down-ama-large");
    Measured down;
    try (AssetClient c = amaS3(amaBucket, work.resolve("cache-large-down"))) {
      down = measure(() -> c.download(TYPE_LARGE, "large").to(amaDown));
    }
    verifySame(largeDir, amaDown);
    deleteTree(amaDown);

    String sdkBucket = s3.createBucket();
    Measured sdkUp = measure(() -> sdkUpload(sdkBucket, "large/", largeDir, 1));
    Path sdkDown = work.resolve("down-sdk-large");
    Measured sdkDownT = measure(() -> sdkDownload(sdkBucket, "large/", sdkDown, 1));
    deleteTree(sdkDown);
    s3.deletePrefix(sdkBucket, "");
    add("upload " + what, "s3", "AMA", up, "AWS SDK putObject (one PUT)", sdkUp, "MB/s", size, "");
    add("download " + what, "s3", "AMA", down, "AWS SDK getObject", sdkDownT, "MB/s", size, "");
    if (rclone) {
      String rBucket = s3.createBucket();
      Measured rUp = measure(() -> rclone("copy", largeDir.toString(), RCLONE_REMOTE + ":" + rBucket + "/large"));
      Path rDown = work.resolve("down-rclone-large");
      Measured rDownT = measure(() -> rclone("copy", RCLONE_REMOTE + ":" + rBucket + "/large", rDown.toString()));
      verifySame(largeDir, rDown);
      deleteTree(rDown);
      s3.deletePrefix(rBucket, "");
      add("upload " + what, "s3", "AMA", up, "rclone copy", rUp, "MB/s", size, "≥ 1×");
      add("download " + what, "s3", "AMA", down, "rclone copy", rDownT, "MB/s", size, "≥ 1×");
    }
    s3.deletePrefix(amaBucket, "");
  }

  /**
   * The filesystem store against {@code cp -r} and {@code cp -r && sync} (issue 19), in rounds that
   * interleave every measurement, so the load of a shared machine falls on all of them alike; each
   * row is the median of the rounds. Each AMA upload goes into a new store with a new cache, so
   * every file is hashed as {@code cp} reads every file; each download goes into an empty folder
   * with a new cache. A {@code sync} before each timed step leaves it no dirty pages of the one
   * before. Without {@code --store-format} both formats run in every round.
   */
  private void fileSystemStore(Path small, Path largeDir) throws Exception {
    List<Integer> formats = o.storeFormat().map(List::of).orElse(List.of(1, 2));
    if (formats.size() > 1) {
      notes.add("the filesystem rows ran on store formats 1 and 2, each row says which");
      if (o.filesystemOnly()) {
        storeFormatUsed = "1 and 2";
      }
    }
    record Case(String what, Path dir, String type, String unit, double amount, String target) {}
    List<Case> cases = new ArrayList<>(List.of(new Case(o.files() + " × " + human(o.fileSize()), small, TYPE_SMALL,
        "files/s", o.files(), "≥ 1×")));
    if (totalSize(largeDir) > 0) {
      long size = totalSize(largeDir);
      cases.add(new Case("1 file of " + human(size), largeDir, TYPE_LARGE, "MB/s", size, "≥ 0.9×"));
    }
    Map<String, List<Measured>> times = new LinkedHashMap<>();
    List<Measured> agains = new ArrayList<>();
    Map<Integer, Double> firstUploads = new LinkedHashMap<>();
    // Round 0 warms the JIT on the filesystem paths and is not counted.
    for (int round = 0; round <= o.rounds(); round++) {
      for (Case c : cases) {
        if (round == 0 && c.type().equals(TYPE_LARGE)) {
          continue;
        }
        Map<String, Measured> got = new LinkedHashMap<>();
        Path cp = work.resolve("cp-" + c.type());
        run(List.of("sync"), Map.of());
        got.put("cp -r", measure(() -> run(List.of("cp", "-r", c.dir().toString(), cp.toString()), Map.of())));
        deleteTree(cp);
        run(List.of("sync"), Map.of());
        got.put("cp -r && sync", measure(() -> run(List.of("sh", "-c", "cp -r \"$0\" \"$1\" && sync",
            c.dir().toString(), cp.toString()), Map.of())));
        deleteTree(cp);
        for (int format : formats) {
          Path store = work.resolve("fs-store-" + format);
          Path down = work.resolve("down-fs-" + format);
          run(List.of("sync"), Map.of());
          try (AssetClient a = fsClient(store, "cache-fs-up-" + format + "-" + round, format)) {
            got.put("up " + format, measure(() -> a.newAsset(c.type()).add(c.dir()).alias("fs").upload()));
          }
          if (round == o.rounds() && c.type().equals(TYPE_SMALL)) {
            firstUploads.put(format, got.get("up " + format).seconds);
            // Median of three, each a new client with the same cache, as a new job would be.
            for (int i = 0; i < 3; i++) {
              try (AssetClient a = fsClient(store, "cache-fs-up-" + format + "-" + round, format)) {
                agains.add(measure(() -> a.newAsset(c.type()).add(c.dir()).alias("fs").upload()));
              }
            }
          }
          run(List.of("sync"), Map.of());
          try (AssetClient a = fsClient(store, "cache-fs-down-" + format + "-" + round, format)) {
            got.put("down " + format, measure(() -> a.download(c.type(), "fs").to(down)));
          }
          verifySame(c.dir(), down);
          deleteTree(down);
          deleteTree(store);
          deleteTree(work.resolve("cache-fs-up-" + format + "-" + round));
          deleteTree(work.resolve("cache-fs-down-" + format + "-" + round));
        }
        if (round > 0) {
          got.forEach((k, m) -> times.computeIfAbsent(c.type() + " " + k, x -> new ArrayList<>()).add(m));
        }
        System.out.printf(Locale.ROOT, "filesystem round %d, %s: %s; load %s%n", round, c.what(),
            got.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f s", e.getKey(), e.getValue().seconds))
                .collect(java.util.stream.Collectors.joining(", ")), loadAverage());
      }
    }
    String rounds = "median of " + o.rounds() + " interleaved rounds";
    for (Case c : cases) {
      Measured cp = median(times.get(c.type() + " cp -r"));
      Measured cpSync = median(times.get(c.type() + " cp -r && sync"));
      for (int format : formats) {
        String label = "AMA, format " + format + " (" + rounds + ")";
        for (String op : List.of("up", "down")) {
          Measured ama = median(times.get(c.type() + " " + op + " " + format));
          String operation = (op.equals("up") ? "upload " : "download ") + c.what();
          add(operation, "filesystem", label, ama, "cp -r", cp, c.unit(), c.amount(), "");
          add(operation, "filesystem", label, ama, "cp -r && sync", cpSync, c.unit(), c.amount(), c.target());
          double ratio = cpSync.seconds / ama.seconds;
          double need = Double.parseDouble(c.target().replaceAll("[^0-9.]", ""));
          goals.add(new Goal("filesystem store, format " + format + ": " + operation + " " + c.target()
              + " cp -r && sync (issue 19)", String.format(Locale.ROOT, "%.2f× (%.2f s vs %.2f s)", ratio,
              ama.seconds, cpSync.seconds), ratio >= need));
        }
      }
    }
    int i = 0;
    for (int format : formats) {
      List<Measured> three = new ArrayList<>(agains.subList(3 * i, 3 * i + 3));
      i++;
      Measured again = median(three);
      double first = firstUploads.get(format);
      rows.add(new Row("re-upload unchanged " + cases.get(0).what(), "filesystem", "AMA, format " + format
          + " (new client, same cache; median of 3)", again.seconds, "AMA first upload (last round)", first,
          "files/s", o.files(), "≤ 3% of first", String.format(Locale.ROOT, "%.1f%% of the first upload",
          100 * again.seconds / first)));
    }
  }

  private static Measured median(List<Measured> runs) {
    List<Measured> sorted = new ArrayList<>(runs);
    sorted.sort(Comparator.comparingDouble(Measured::seconds));
    return sorted.get(sorted.size() / 2);
  }

  private AssetClient fsClient(Path store, String cache, int format) throws IOException {
    AssetClient.Builder b = AssetClient.builder().store(store.toString()).user("bench").cache(work.resolve(cache))
        .newStoreFormat(format);
    if (o.concurrency() > 0) {
      b.concurrency(o.concurrency());
    }
    return b.build();
  }

  /**
   * The CLI's cold path: every {@code ama} call starts a JVM. Downloads the small-file asset with
   * {@code bin/ama} as shipped, with each start-up option this benchmark weighs, and times {@code
   * ama --version} alone to show the fixed cost.
   */
  private void cliColdStart(Path small, boolean rclone) throws Exception {
    Path ama = o.root().resolve("bin").resolve("ama");
    Path lib = o.root().resolve("ama-cli").resolve("target").resolve("lib");
    if (!Files.isExecutable(ama) || !Files.isDirectory(lib)) {
      notes.add("CLI not measured: " + ama + " or " + lib + " is missing; run `mvn -B -DskipTests package` first");
      return;
    }
    int n = o.files();
    String what = n + " × " + human(o.fileSize());
    String bucket = s3.createBucket();
    String location = s3.storeUri(bucket, "store");
    try (AssetClient c = amaS3(bucket, work.resolve("cache-cli-up"))) {
      c.newAsset(TYPE_SMALL).add(small).alias("small").upload();
    }
    Measured rDown = null;
    Measured rUp = null;
    if (rclone) {
      String rBucket = s3.createBucket();
      rUp = measure(() -> rclone("copy", small.toString(), RCLONE_REMOTE + ":" + rBucket + "/small"));
      Path dest = work.resolve("cli-rclone");
      rDown = measure(() -> rclone("copy", RCLONE_REMOTE + ":" + rBucket + "/small", dest.toString()));
      deleteTree(dest);
    }
    // bin/ama keeps a class-data-sharing archive beside the CLI jar, written by its first run on
    // JDK 17. It is removed here so the first run is measured, then remade by that run. On JDK 25
    // the AOT cache is trained in the background after a command; the JDK 25 rows wait for it.
    Path target = o.root().resolve("ama-cli").resolve("target");
    Path jsa = target.resolve("ama-cli.jsa");
    Files.deleteIfExists(jsa);
    List<String> download = List.of("download", TYPE_SMALL, "--alias", "small", "-o");
    Path dest = work.resolve("cli-down");
    // A user's upload is three commands in the folder of the files, each its own JVM. They run in a
    // copy, so the .ama/ they leave never reaches the folder the other rows read.
    Path upFolder = work.resolve("cli-up");
    deleteTree(upFolder);
    run(List.of("cp", "-a", small.toString(), upFolder.toString()), Map.of());
    String jdk17 = System.getProperty("java.home");
    boolean jdk25 = Files.isExecutable(StartupBenchmark.JDK_25.resolve("bin/java"));
    record Variant(String label, Map<String, String> env) {}
    List<Variant> variants = new ArrayList<>(List.of(
        new Variant("JDK 17, C1 JIT only, no AppCDS",
            Map.of("JAVA_HOME", jdk17, "AMA_CDS", "off", "AMA_JAVA_OPTS", "-XX:TieredStopAtLevel=1")),
        new Variant("JDK 17, full JIT, no AppCDS", Map.of("JAVA_HOME", jdk17, "AMA_CDS", "off", "AMA_JAVA_OPTS", "")),
        new Variant("JDK 17, full JIT, first run (writes the AppCDS archive)",
            Map.of("JAVA_HOME", jdk17, "AMA_CDS", "on", "AMA_JAVA_OPTS", "")),
        new Variant("JDK 17, full JIT + AppCDS (bin/ama on 17)",
            Map.of("JAVA_HOME", jdk17, "AMA_CDS", "on", "AMA_JAVA_OPTS", "")),
        new Variant("JDK 17, C1 JIT only + AppCDS",
            Map.of("JAVA_HOME", jdk17, "AMA_CDS", "on", "AMA_JAVA_OPTS", "-XX:TieredStopAtLevel=1"))));
    if (jdk25) {
      String home = StartupBenchmark.JDK_25.toString();
      variants.add(new Variant("JDK 25, full JIT, no AOT cache",
          Map.of("JAVA_HOME", home, "AMA_AOT", "off", "AMA_JAVA_OPTS", "")));
      variants.add(new Variant("JDK 25, full JIT + AOT cache (bin/ama on 25)",
          Map.of("JAVA_HOME", home, "AMA_AOT", "on", "AMA_JAVA_OPTS", "")));
      variants.add(new Variant("JDK 25, C1 JIT only + AOT cache",
          Map.of("JAVA_HOME", home, "AMA_AOT", "on", "AMA_JAVA_OPTS", "-XX:TieredStopAtLevel=1")));
    }
    for (Variant v : variants) {
      if (v.env().get("AMA_AOT") != null && v.env().get("AMA_AOT").equals("on")) {
        cli(ama, location, List.of("--version"), v.env());
        // With --store s3://..., bin/ama trains and maps its cache for S3 stores.
        StartupBenchmark.awaitAotCache(target, true);
      }
      boolean firstRun = v.label().contains("first run");
      Measured version = firstRun ? null : measure(() -> cli(ama, location, List.of("--version"), v.env()));
      // Into a bucket of its own: a first upload, not one that finds its blobs already stored.
      String upLocation = s3.storeUri(s3.createBucket(), "store");
      deleteTree(upFolder.resolve(".ama"));
      Measured up = measure(() -> {
        cli(ama, upLocation, upFolder, List.of("init", TYPE_SMALL), v.env());
        cli(ama, upLocation, upFolder, List.of("add", "."), v.env());
        return cli(ama, upLocation, upFolder, List.of("upload"), v.env());
      });
      if (firstRun) {
        // The download row of this variant is a first run too.
        Files.deleteIfExists(jsa);
      }
      List<String> args = new ArrayList<>(download);
      args.add(dest.toString());
      Measured down = measure(() -> cli(ama, location, args, v.env()));
      verifySame(small, dest);
      deleteTree(dest);
      if (version != null) {
        rows.add(new Row("CLI start-up (ama --version)", "-", v.label(), version.seconds, "-", Double.NaN, "", 0,
            "", ""));
      }
      String upOp = "CLI upload " + what + " (cold JVMs: init, add ., upload)";
      if (rUp != null) {
        add(upOp, "s3", v.label(), up, "rclone copy", rUp, "files/s", n, "≥ 1×");
      } else {
        rows.add(new Row(upOp, "s3", v.label(), up.seconds, "-", Double.NaN, "files/s", n, "", up.detail()));
      }
      if (rDown != null) {
        add("CLI download " + what + " (cold JVM)", "s3", v.label(), down, "rclone copy", rDown, "files/s", n,
            "≥ 1×");
      } else {
        rows.add(new Row("CLI download " + what + " (cold JVM)", "s3", v.label(), down.seconds, "-", Double.NaN,
            "files/s", n, "", down.detail()));
      }
    }
    if (!Files.isRegularFile(jsa)) {
      notes.add("bin/ama wrote no AppCDS archive at " + jsa + "; its rows ran without one");
    }
    if (!jdk25) {
      notes.add("no JDK 25 at " + StartupBenchmark.JDK_25 + ": the AOT cache rows are skipped");
    }
    // The local-store commands, each start-up option, median of 10 cold runs (bench/startup.sh alone).
    for (StartupBenchmark.Result r : StartupBenchmark.localCommands(o.root(), work, 10)) {
      rows.add(new Row("CLI " + r.command() + " (local store, median of 10)", "filesystem", r.variant(),
          r.medianSeconds(), r.floorLabel(), r.floorSeconds(), "", 0, StartupBenchmark.goal(r), ""));
    }
  }

  private String cli(Path ama, String location, List<String> args, Map<String, String> startUp) throws IOException {
    return cli(ama, location, null, args, startUp);
  }

  /** Runs {@code ama --store location args...} in {@code dir} (null: this process's folder), with a fresh cache. */
  private String cli(Path ama, String location, Path dir, List<String> args, Map<String, String> startUp)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of(ama.toString(), "--store", location));
    cmd.addAll(args);
    Map<String, String> env = new LinkedHashMap<>(s3.environment());
    env.put("AMA_CACHE", work.resolve("cli-cache-" + System.nanoTime()).toString());
    env.put("AMA_USER", "bench");
    env.putAll(startUp);
    try {
      return run(cmd, dir, env, Duration.ofMinutes(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
  // ------------------------------------------------------------------ big mode

  /**
   * Uploads and downloads one file of {@code size} bytes in a child JVM limited to {@code --heap},
   * against S3Proxy and the filesystem store, so the memory bound is shown, not claimed.
   */
  private void runBig(long size) throws Exception {
    String machine = machine();
    FileStore fs = Files.getFileStore(work);
    long free = fs.getUsableSpace();
    // The source, S3Proxy's copy (its parts, then the assembled object) and the download.
    long needed = 4 * size + (1L << 30);
    long fitted = size;
    if (free < needed) {
      fitted = Math.max(64L << 20, ((free - (1L << 30)) / 4) >> 20 << 20);
      notes.add(String.format(Locale.ROOT, "only %s free in %s; measured %s instead of %s", human(free), work,
          human(fitted), human(size)));
    }
    System.out.println("# AMA big-file benchmark\n\n" + machine + "\n\nfile " + human(fitted) + ", child heap -Xmx"
        + o.heap() + ", free disk " + human(free));
    Path dir = generateFiles(work.resolve("big"), 1, fitted, 7);
    backdate(dir);
    Path file = only(dir);
    s3 = S3ProxyServer.startOnDisk(S3ProxyServer.findJar());
    String bucket = s3.createBucket();
    bigRow("s3", s3.storeUri(bucket, "store"), file, fitted);
    s3.close();
    s3 = null;
    bigRow("filesystem", work.resolve("big-store").toString(), file, fitted);
    report(machine);
  }

  private void bigRow(String storeName, String location, Path file, long size) throws Exception {
    Path down = work.resolve("big-down");
    List<String> cmd = List.of(javaBin(), "-Xmx" + o.heap(), "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), TransferBenchmark.class.getName(), "--big-child", location,
        file.toString(), down.toString(), work.resolve("big-cache").toString(), storeFormatArgument());
    Map<String, String> env = s3 != null ? s3.environment() : Map.of();
    String out = run(cmd, env);
    String[] r = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
        .orElseThrow(() -> new IllegalStateException("the child JVM printed no result:\n" + out)).split(" ");
    double up = Double.parseDouble(r[1]);
    double dl = Double.parseDouble(r[2]);
    long peak = Long.parseLong(r[3]);
    storeFormatUsed = r[4];
    String detail = "child JVM -Xmx" + o.heap() + ", peak heap used " + human(peak) + ", digest verified, store"
        + " format " + r[4];
    rows.add(new Row("upload 1 file of " + human(size), storeName, "AMA", up, "-", Double.NaN, "MB/s", size,
        "fits in -Xmx" + o.heap(), detail));
    rows.add(new Row("download 1 file of " + human(size), storeName, "AMA", dl, "-", Double.NaN, "MB/s", size,
        "fits in -Xmx" + o.heap(), detail));
    deleteTree(down);
    deleteTree(work.resolve("big-cache"));
    deleteTree(work.resolve("big-store"));
  }

  private static void bigChild(String[] args) throws Exception {
    String location = args[1];
    Path file = Path.of(args[2]);
    Path down = Path.of(args[3]);
    Path cache = Path.of(args[4]);
    try (Storage storage = Storages.open(location);
        AssetClient c = childClient(storage, cache, args[5])) {
      long t = System.nanoTime();
      AssetVersion v = c.newAsset(TYPE_LARGE).add(file).alias("big").upload();
      double up = seconds(t);
      t = System.nanoTime();
      c.download(TYPE_LARGE, "big").to(down);
      double dl = seconds(t);
      Digest d;
      try (InputStream in = Files.newInputStream(down.resolve(file.getFileName().toString()))) {
        d = Digest.sha256(in);
      }
      if (!d.equals(v.files().get(0).digest())) {
        throw new IllegalStateException("downloaded file differs from the uploaded one");
      }
      System.out.println("RESULT " + up + " " + dl + " " + peakHeapUsed() + " " + storeFormat(storage));
    }
  }

  // ------------------------------------------------------------------ many-files mode

  /**
   * Uploads and downloads {@code count} small files (issue 18: 100,000 × 4 KiB) in a child JVM
   * limited to {@code --heap}, against S3Proxy on loopback, so a dataset of many files is shown to
   * fit the heap a training job leaves a library. Slow on format v1 (two requests per file up, one
   * down): a mode of its own, never part of a build.
   */
  private void runMany(int count) throws Exception {
    String machine = machine();
    long size = o.smallFileCases().manyFileSize();
    String what = String.format(Locale.ROOT, "%,d × %s", count, human(size));
    System.out.println("# AMA many-files benchmark\n\n" + machine + "\n\n" + what + " in folders of 1,000,"
        + " child heap -Xmx" + o.heap());
    Path dir = work.resolve("many");
    for (int i = 0; i * 1000 < count; i++) {
      generateFiles(dir.resolve(String.format(Locale.ROOT, "d%03d", i)), Math.min(1000, count - i * 1000), size,
          100 + i);
    }
    backdate(dir);
    // The filesystem store first: the same client-side work (file list, hashing, manifest) in a
    // fraction of the time, so its figure is in even when S3Proxy's run is cut short.
    manyRow("filesystem", work.resolve("many-store").toString(), Map.of(), dir, what, count);
    if (o.filesystemOnly()) {
      notes.add("--filesystem-only: S3Proxy not measured");
    } else {
      s3 = S3ProxyServer.startOnDisk(S3ProxyServer.findJar());
      manyRow("s3, loopback", s3.storeUri(s3.createBucket(), "store"), s3.environment(), dir, what, count);
    }
    notes.add("no baseline in this mode: it shows the memory bound; the 2,000-file cases give the ratios");
    report(machine);
  }

  private void manyRow(String store, String location, Map<String, String> env, Path dir, String what, int count)
      throws IOException {
    Path down = work.resolve("many-down");
    List<String> cmd = List.of(javaBin(), "-Xmx" + o.heap(), "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), TransferBenchmark.class.getName(), "--many-child", location,
        dir.toString(), down.toString(), work.resolve("many-cache").toString(), storeFormatArgument());
    String goal = what + " up and down in a " + o.heap() + " heap (" + store + ")";
    try {
      String out = run(cmd, env);
      String[] r = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
          .orElseThrow(() -> new IllegalStateException("the child JVM printed no result:\n" + out)).split(" ");
      verifySame(dir, down);
      storeFormatUsed = r[6];
      String detail = "child JVM -Xmx" + o.heap() + ", peak heap used " + human(Long.parseLong(r[3]))
          + ", store format " + r[6];
      rows.add(new Row("upload " + what, store, "AMA", Double.parseDouble(r[1]), "-", Double.NaN,
          "files/s", count, "fits in -Xmx" + o.heap(), String.format(Locale.ROOT, "%s; %,d storage calls",
              detail, Long.parseLong(r[4]))));
      rows.add(new Row("download " + what, store, "AMA", Double.parseDouble(r[2]), "-", Double.NaN,
          "files/s", count, "fits in -Xmx" + o.heap(), String.format(Locale.ROOT, "%s; %,d storage calls; every"
              + " file's name and size checked", detail, Long.parseLong(r[5]))));
      goals.add(new Goal(goal, "done; peak heap used " + human(Long.parseLong(r[3])), true));
      System.out.printf(Locale.ROOT, "%s: up %s s, down %s s, peak heap %s; load %s%n", store, r[1], r[2],
          human(Long.parseLong(r[3])), loadAverage());
    } catch (IOException e) {
      String message = e.getMessage();
      notes.add(store + ": the child JVM failed: " + message.substring(Math.max(0, message.length() - 2000)));
      goals.add(new Goal(goal, message.contains("OutOfMemoryError") ? "OutOfMemoryError" : "failed, see the notes",
          false));
    }
    deleteTree(down);
    deleteTree(work.resolve("many-cache"));
  }

  private static void manyChild(String[] args) throws Exception {
    String location = args[1];
    Path dir = Path.of(args[2]);
    Path down = Path.of(args[3]);
    Path cache = Path.of(args[4]);
    try (CountingStorage storage = new CountingStorage(Storages.open(location));
        AssetClient c = childClient(storage, cache, args[5])) {
      long t = System.nanoTime();
      c.newAsset(TYPE_SMALL).add(dir).alias("many").upload();
      double up = seconds(t);
      long upCalls = storage.counts().values().stream().mapToLong(Long::longValue).sum();
      String format = storeFormat(storage);
      storage.reset();
      t = System.nanoTime();
      c.download(TYPE_SMALL, "many").to(down);
      double dl = seconds(t);
      long downCalls = storage.counts().values().stream().mapToLong(Long::longValue).sum();
      System.out.println("RESULT " + up + " " + dl + " " + peakHeapUsed() + " " + upCalls + " " + downCalls + " "
          + format);
    }
  }

  /** The {@code --store-format} a child JVM is to use: its number, or {@code default}. */
  private String storeFormatArgument() {
    return o.storeFormat().map(String::valueOf).orElse("default");
  }

  private static AssetClient childClient(Storage storage, Path cache, String storeFormat) {
    AssetClient.Builder b = AssetClient.builder().storage(storage).user("bench").cache(cache);
    if (!storeFormat.equals("default")) {
      b.newStoreFormat(Integer.parseInt(storeFormat));
    }
    return b.build();
  }

  /**
   * The format version a store records in its {@code ama-store.json}, read back rather than taken
   * from the option, so the report says what was measured even when the option is left to the
   * product's default: {@code "2"}, or {@code "unknown"} for a store without the marker.
   */
  static String storeFormat(Storage storage) throws IOException {
    if (storage.stat("ama-store.json").isEmpty()) {
      return "unknown";
    }
    try (InputStream in = storage.open("ama-store.json")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"version\"\\s*:\\s*(\\d+)")
          .matcher(new String(in.readNBytes(64 << 10), StandardCharsets.UTF_8));
      return m.find() ? m.group(1) : "unknown";
    }
  }

  /** The heap's peak occupancy so far, summed over its pools. */
  private static long peakHeapUsed() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  private static void hashChild(Path file) throws IOException {
    long t = System.nanoTime();
    try (InputStream in = Files.newInputStream(file)) {
      Digest.sha256(in);
    }
    System.out.println(seconds(t));
  }

  // ------------------------------------------------------------------ report

  private void report(String machine) throws IOException {
    notes.add("load average (1, 5, 15 min) at the end: " + loadAverage());
    StringBuilder sb = new StringBuilder();
    sb.append("| operation | store | AMA | AMA time | baseline | baseline time | ratio | AMA rate | baseline rate"
        + " | target | notes |\n");
    sb.append("|---|---|---|---:|---|---:|---:|---:|---:|---|---|\n");
    for (Row r : rows) {
      boolean hasBase = !Double.isNaN(r.baselineSeconds());
      String ratio;
      if (r.target().startsWith("≤")) {
        ratio = String.format(Locale.ROOT, "**%.1f%%**", 100 * r.amaSeconds() / r.baselineSeconds());
      } else {
        ratio = hasBase ? String.format(Locale.ROOT, "**%.2f×**", r.ratio()) : "-";
      }
      sb.append("| ").append(r.operation()).append(" | ").append(r.store()).append(" | ").append(r.amaLabel())
          .append(" | ").append(secs(r.amaSeconds())).append(" | ").append(r.baseline()).append(" | ")
          .append(hasBase ? secs(r.baselineSeconds()) : "-").append(" | ").append(ratio).append(" | ")
          .append(rate(r.unit(), r.amount(), r.amaSeconds())).append(" | ")
          .append(hasBase ? rate(r.unit(), r.amount(), r.baselineSeconds()) : "-").append(" | ")
          .append(r.target()).append(" | ").append(r.detail()).append(" |\n");
    }
    sb.append("\nratio = baseline time / AMA time (above 1: AMA is faster); for re-upload, AMA's re-upload time as a"
        + " share of its first upload. MB = 10^6 bytes.\n");
    if (!goals.isEmpty()) {
      sb.append("\nThe goals of issues 18 and 19, as measured in this run:\n\n| goal | measured | met? |\n|---|---|---|\n");
      for (Goal g : goals) {
        sb.append("| ").append(g.goal()).append(" | ").append(g.measured()).append(" | ")
            .append(g.met() ? "yes" : "**no**").append(" |\n");
      }
    }
    for (String n : notes) {
      sb.append("\n- ").append(n);
    }
    String format = "Store format: " + storeFormatUsed + " (" + o.storeFormat().map(f -> "--store-format " + f)
        .orElse("the product's default") + "), read back from the stores' ama-store.json.";
    String table = format + "\n\n" + sb;
    System.out.println();
    System.out.println(table);
    Path out = Files.createDirectories(o.out());
    String stamp = Instant.now().toString().replace(":", "").replaceAll("\\..*", "");
    Path file = out.resolve("results-" + stamp + ".md");
    Files.writeString(file, "# AMA transfer benchmark, " + Instant.now() + "\n\n" + machine + "\n\n" + table + "\n",
        StandardCharsets.UTF_8);
    System.out.println("saved " + file.toAbsolutePath());
  }

  private static String secs(double s) {
    return String.format(Locale.ROOT, "%.2f s", s);
  }

  private static String rate(String unit, double amount, double seconds) {
    if (unit.isEmpty()) {
      return "-";
    }
    double v = unit.equals("MB/s") ? amount / 1e6 / seconds : amount / seconds;
    return String.format(Locale.ROOT, "%.0f %s", v, unit);
  }

  private void add(String op, String store, String amaLabel, Measured ama, String baseline, Measured base,
      String unit, double amount, String target) {
    rows.add(new Row(op, store, amaLabel, ama.seconds, baseline, base.seconds, unit, amount, target,
        ama.detail() + "; baseline " + base.detail()));
  }

  private String machine() {
    String cpu = "unknown CPU";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
    } catch (IOException e) {
      // Not Linux; the core count still says enough.
    }
    return String.format(Locale.ROOT, "Machine: %d cores (%s), %s heap max, Java %s, %s; S3Proxy %s on loopback"
            + " (filesystem provider); AMA transfer concurrency %d. Absolute figures depend on the machine and its"
            + " neighbours; compare the ratios.",
        Runtime.getRuntime().availableProcessors(), cpu, human(Runtime.getRuntime().maxMemory()),
        System.getProperty("java.version"), System.getProperty("os.name"), "4.1.0", concurrency());
  }

  // ------------------------------------------------------------------ timing

  /** A timed run: wall time, this JVM's CPU and the S3Proxy server's CPU. */
  record Measured(double seconds, double clientCpu, double serverCpu, long requests) {
    String detail() {
      String r = requests > 0 ? String.format(Locale.ROOT, "%,d storage calls, ", requests) : "";
      return Double.isNaN(serverCpu)
          ? r + String.format(Locale.ROOT, "cpu %.1f s", clientCpu)
          : r + String.format(Locale.ROOT, "S3Proxy cpu %.1f s", serverCpu);
    }
  }

  private interface Action {
    Object run() throws Exception;
  }

  private Measured measure(Action a) throws Exception {
    double server0 = serverCpu();
    long cpu0 = processCpuNanos();
    long requests0 = requests();
    long t = System.nanoTime();
    a.run();
    double s = seconds(t);
    return new Measured(s, (processCpuNanos() - cpu0) / 1e9, serverCpu() - server0, requests() - requests0);
  }

  /** AMA's storage calls so far by kind, such as {@code "put index/"}, over every counted storage. */
  private Map<String, Long> requestsByKind() {
    Map<String, Long> sum = new java.util.TreeMap<>();
    counters.forEach(c -> c.counts().forEach((k, v) -> sum.merge(k, v, Long::sum)));
    return sum;
  }

  /** The storage calls made since {@code before}, by kind: {@code "create blobs/ 1, put index/ 2000"}. */
  private String since(Map<String, Long> before) {
    StringBuilder sb = new StringBuilder();
    requestsByKind().forEach((k, v) -> {
      long n = v - before.getOrDefault(k, 0L);
      if (n > 0) {
        sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(n);
      }
    });
    return sb.toString();
  }

  /** Storage calls (about one HTTP request each) AMA has made of S3 so far. */
  private long requests() {
    return counters.stream().mapToLong(c -> c.counts().values().stream().mapToLong(Long::longValue).sum()).sum();
  }

  private double serverCpu() {
    if (s3 == null) {
      return Double.NaN;
    }
    return ProcessHandle.of(s3.pid()).flatMap(p -> p.info().totalCpuDuration())
        .map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  // ------------------------------------------------------------------ clients and baselines

  private int concurrency() {
    return o.concurrency() > 0 ? o.concurrency() : dev.ama.TransferSettings.DEFAULTS.concurrency();
  }

  private AssetClient amaS3(String bucket, Object cacheOrName) throws IOException {
    return amaS3(bucket, cacheOrName, s3.endpoint());
  }

  /** As {@link #amaS3(String, Object)}, reaching S3Proxy through {@code via}, such as a {@link LatencyProxy}. */
  private AssetClient amaS3(String bucket, Object cacheOrName, URI via) throws IOException {
    Path cache = cacheOrName instanceof Path p ? p : work.resolve("cache-" + cacheOrName);
    CountingStorage storage = new CountingStorage(Storages.open(s3.storeUri(bucket, "store", via), s3.credentials()));
    counters.add(storage);
    return client(storage, cache, TransferListener.NONE, true);
  }

  private AssetClient client(Storage storage, Object cacheOrName, TransferListener listener) {
    return client(storage, cacheOrName instanceof Path p ? p : work.resolve("cache-" + cacheOrName), listener, true);
  }

  private AssetClient client(Storage storage, Path cache, TransferListener listener, boolean owned) {
    // The builder leaves a given storage open; this benchmark closes them all at the end.
    opened.add(storage);
    AssetClient.Builder b = AssetClient.builder().storage(storage).user("bench").cache(cache).listener(listener);
    if (o.concurrency() > 0) {
      b.concurrency(o.concurrency());
    }
    o.storeFormat().ifPresent(b::newStoreFormat);
    return b.build();
  }

  /** The plain loop a user would write: putObject per file, sequentially or on a thread pool. */
  private Object sdkUpload(String bucket, String prefix, Path dir, int threads) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    forEach(files, threads, f -> sdk.putObject(b -> b.bucket(bucket).key(prefix + dir.relativize(f)),
        RequestBody.fromFile(f)));
    return null;
  }

  private Object sdkDownload(String bucket, String prefix, Path dest, int threads) throws Exception {
    List<S3Object> objects = sdk.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .toList();
    Files.createDirectories(dest);
    forEach(objects, threads, obj -> {
      Path target = dest.resolve(obj.key().substring(prefix.length()));
      Files.createDirectories(target.getParent());
      sdk.getObject(b -> b.bucket(bucket).key(obj.key()), ResponseTransformer.toFile(target));
    });
    return null;
  }

  private interface Each<T> {
    void accept(T t) throws Exception;
  }

  private static <T> void forEach(List<T> items, int threads, Each<T> each) throws Exception {
    if (threads == 1) {
      for (T t : items) {
        each.accept(t);
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (T t : items) {
        fs.add(pool.submit(() -> {
          each.accept(t);
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private Optional<String> rcloneVersion() {
    try {
      return Optional.of(run(List.of("rclone", "version"), Map.of()).lines().findFirst().orElse("rclone"));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private Object rclone(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("rclone"));
    cmd.addAll(List.of(args));
    return run(cmd, CopyTool.rcloneEnvironment(work, s3.endpoint()));
  }

  // ------------------------------------------------------------------ files and processes

  /** Runs a command to completion and returns its output, failing with that output if it fails. */
  static String run(List<String> cmd, Map<String, String> env) throws IOException {
    try {
      return run(cmd, null, env, Duration.ofMinutes(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * Runs a program to completion in {@code dir} (null: this process's folder), with {@code env}
   * on top of this process's environment (a null value removes the variable), its output and
   * errors together; fails with that output if it fails or outlives {@code timeout}.
   */
  static String run(List<String> cmd, Path dir, Map<String, String> env, Duration timeout)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    env.forEach((k, v) -> {
      if (v == null) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      throw e;
    }
    return out;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Writes {@code count} files of pseudo-random bytes, different in every file. */
  private static Path generateFiles(Path dir, int count, long size, long seed) throws IOException {
    Files.createDirectories(dir);
    byte[] buf = new byte[1 << 20];
    for (int i = 0; i < count; i++) {
      SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
      try (OutputStream out = Files.newOutputStream(dir.resolve(String.format(Locale.ROOT, "f%05d.bin", i)))) {
        for (long left = size; left > 0; ) {
          int n = (int) Math.min(buf.length, left);
          for (int j = 0; j < n; j += 8) {
            long v = r.nextLong();
            for (int k = 0; k < 8 && j + k < n; k++) {
              buf[j + k] = (byte) (v >>> (8 * k));
            }
          }
          out.write(buf, 0, n);
          left -= n;
        }
      }
    }
    return dir;
  }

  /**
   * Dates the files a minute back, as files a job wrote before uploading them: files modified
   * within the last two seconds are never remembered by the hash cache (see HashCache).
   */
  private static void backdate(Path... dirs) throws IOException {
    FileTime t = FileTime.from(Instant.now().minus(Duration.ofMinutes(1)));
    for (Path d : dirs) {
      try (Stream<Path> s = Files.walk(d)) {
        for (Path p : s.filter(Files::isRegularFile).toList()) {
          Files.setLastModifiedTime(p, t);
        }
      }
    }
  }

  private static Path only(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).findFirst().orElseThrow();
    }
  }

  private static long totalSize(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      long sum = 0;
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        sum += Files.size(p);
      }
      return sum;
    }
  }

  /**
   * Fails unless {@code actual} holds the same file names with the same sizes as {@code expected}:
   * directly (copy tools) or under the folder's own name (AMA adds a folder under its name).
   */
  private static void verifySame(Path expected, Path actual) throws IOException {
    Path nested = actual.resolve(expected.getFileName().toString());
    if (Files.isDirectory(nested)) {
      actual = nested;
    }
    try (Stream<Path> s = Files.walk(expected)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Path q = actual.resolve(expected.relativize(p).toString());
        if (!Files.isRegularFile(q) || Files.size(q) != Files.size(p)) {
          throw new IllegalStateException("download into " + actual + " lacks " + expected.relativize(p));
        }
      }
    }
  }

  static String human(long bytes) {
    long[] units = {1L << 30, 1L << 20, 1L << 10};
    String[] names = {"GiB", "MiB", "KiB"};
    for (int i = 0; i < units.length; i++) {
      if (bytes >= units[i]) {
        return bytes % units[i] == 0
            ? (bytes / units[i]) + " " + names[i]
            : String.format(Locale.ROOT, "%.1f %s", bytes / (double) units[i], names[i]);
      }
    }
    return bytes + " B";
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
