package dev.ama.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How long a cold {@code ama} command takes on a local store, as {@code bin/ama} starts it, with
 * each start-up option weighed, against {@code java -version} of the same JDK in the same run (the
 * JVM's own floor) and a trivial Java program started the same way ({@link TrivialMain}). Each figure is the median of {@code --runs} runs (default 10) after one
 * unmeasured run. Prints a Markdown table and saves it under {@code target/startup-bench/}; {@link
 * TransferBenchmark} adds the same rows to its CLI section.
 *
 * <p>Run it with {@code bench/startup.sh [--runs N]}; see docs/performance.md.
 */
public final class StartupBenchmark {
  /** Where Debian's Temurin 25 package puts the JDK; the JDK 25 rows need one. */
  static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
  /** The goal of issue 19 for {@code --help}, {@code ls} and {@code status}. */
  static final double GOAL_SECONDS = 0.25;

  /** One start-up option: the environment {@code bin/ama} gets. */
  record Variant(String label, Map<String, String> env) {}

  /** One command's median under one variant, and the JVM floor of that variant's JDK. */
  record Result(String command, String variant, double medianSeconds, double floorSeconds, String floorLabel,
      double trivialSeconds) {}

  /**
   * The second baseline: a Java program that prints one line, started with bin/ama's JVM options,
   * so a row shows what AMA adds to the cheapest Java command, not only to the JVM's own start.
   */
  public static final class TrivialMain {
    private TrivialMain() {}

    /** Prints one line. */
    public static void main(String[] args) {
      System.out.println("trivial");
    }
  }

  private StartupBenchmark() {}

  /** Runs the local-store commands; see the class comment. */
  public static void main(String[] args) throws Exception {
    int runs = 10;
    Path root = Path.of("..").toAbsolutePath().normalize();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--root" -> root = Path.of(args[++i]).toAbsolutePath().normalize();
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --runs N, --root CHECKOUT");
      }
    }
    Path work = Files.createTempDirectory("ama-startup-bench-");
    try {
      List<Result> results = localCommands(root, work, runs);
      StringBuilder table = new StringBuilder("| command | start-up | median | java -version | trivial main"
          + " | share of the floor | goal |\n|---|---|---:|---:|---:|---:|---|\n");
      for (Result r : results) {
        table.append(String.format(Locale.ROOT, "| %s | %s | %.3f s | %.3f s (%s) | %.3f s | %.1f× | %s |%n",
            r.command(), r.variant(), r.medianSeconds(), r.floorSeconds(), r.floorLabel(), r.trivialSeconds(),
            r.medianSeconds() / r.floorSeconds(), goal(r)));
      }
      String text = "# AMA start-up benchmark, " + Instant.now() + "\n\n" + machine(runs) + "\n\n" + table;
      System.out.println(text);
      Path out = Files.createDirectories(Path.of("target", "startup-bench"));
      Path file = out.resolve("results-" + Instant.now().toString().replace(":", "").replaceAll("\\..*", "") + ".md");
      Files.writeString(file, text, StandardCharsets.UTF_8);
      System.out.println("saved " + file.toAbsolutePath());
    } finally {
      try (Stream<Path> walk = Files.walk(work)) {
        walk.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
  }

  static String goal(Result r) {
    boolean hasGoal = List.of("ama --help", "ama ls", "ama status").contains(r.command());
    return hasGoal ? (r.medianSeconds() < GOAL_SECONDS ? "< 0.25 s: met" : "< 0.25 s: not met") : "";
  }

  static String machine(int runs) {
    return String.format(Locale.ROOT, "Machine: %d cores, Java %s runs the benchmark; median of %d cold runs each,"
        + " load average %s at the start.", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), runs, loadAverage());
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * The start-up options weighed: JDK 17 plain, with AppCDS, C1 or full JIT; JDK 25 without and
   * with the AOT cache bin/ama trains (when {@link #JDK_25} exists); and bin/ama as shipped, which
   * picks the JVM itself.
   */
  static List<Variant> variants() {
    String jdk17 = System.getProperty("java.home");
    List<Variant> v = new ArrayList<>();
    v.add(new Variant("JDK 17, no AppCDS, C1", Map.of("JAVA_HOME", jdk17, "AMA_CDS", "off")));
    v.add(new Variant("JDK 17, no AppCDS, full JIT",
        Map.of("JAVA_HOME", jdk17, "AMA_CDS", "off", "AMA_JAVA_OPTS", "-XX:TieredStopAtLevel=4")));
    v.add(new Variant("JDK 17 + AppCDS, C1 (bin/ama on 17)", Map.of("JAVA_HOME", jdk17, "AMA_CDS", "on")));
    if (Files.isExecutable(JDK_25.resolve("bin/java"))) {
      v.add(new Variant("JDK 25, no AOT cache, C1", Map.of("JAVA_HOME", JDK_25.toString(), "AMA_AOT", "off")));
      v.add(new Variant("JDK 25 + AOT cache, full JIT",
          Map.of("JAVA_HOME", JDK_25.toString(), "AMA_AOT", "on", "AMA_JAVA_OPTS", "-XX:TieredStopAtLevel=4")));
      v.add(new Variant("JDK 25 + AOT cache, C1", Map.of("JAVA_HOME", JDK_25.toString(), "AMA_AOT", "on")));
    }
    v.add(new Variant("bin/ama as shipped (picks the JVM)", Map.of("AMA_AOT", "on", "AMA_CDS", "on")));
    return v;
  }

  /**
   * Times {@code ama --help}, {@code ls}, {@code status} and {@code show} on a local store of one
   * small asset under each {@linkplain #variants() variant}, after making the AppCDS archive and
   * the AOT cache those variants map.
   */
  static List<Result> localCommands(Path root, Path work, int runs) throws Exception {
    Path ama = root.resolve("bin").resolve("ama");
    Path dir = Files.createDirectories(work.resolve("startup-work"));
    Map<String, String> base = new LinkedHashMap<>();
    base.put("HOME", Files.createDirectories(work.resolve("startup-home")).toString());
    base.put("AMA_STORE", work.resolve("startup-store").toString());
    base.put("AMA_CACHE", work.resolve("startup-cache").toString());
    base.put("AMA_USER", "bench");
    base.put("AMA_PROGRESS", "0");
    base.put("JAVA_HOME", null);
    base.put("AMA_JAVA_OPTS", null);
    Files.writeString(dir.resolve("model.yml"), "layers: 4\n");
    Files.writeString(dir.resolve("training.yml"), "learning_rate: 0.001\n");
    Map<String, String> jdk17 = with(base, Map.of("JAVA_HOME", System.getProperty("java.home"), "AMA_AOT", "off"));
    for (String line : List.of("init bench_models", "add model.yml, training.yml", "set --alias latest", "upload")) {
      run(ama, dir, jdk17, line.split(" "));
    }
    // A download writes the AppCDS archive on JDK 17; any command on JDK 25 trains the AOT cache.
    run(ama, dir, with(jdk17, Map.of("AMA_CDS", "on")), "download", "bench_models", "--alias", "latest", "-o",
        work.resolve("startup-down").toString());
    if (Files.isExecutable(JDK_25.resolve("bin/java"))) {
      run(ama, dir, with(base, Map.of("JAVA_HOME", JDK_25.toString(), "AMA_AOT", "on")), "--version");
      awaitAotCache(ama.getParent().getParent().resolve("ama-cli").resolve("target"), false);
    }
    List<List<String>> commands = List.of(List.of("--help"), List.of("ls"), List.of("status"),
        List.of("show", "bench_models", "--alias", "latest"));
    List<Result> results = new ArrayList<>();
    for (Variant v : variants()) {
      Map<String, String> env = with(base, v.env());
      Path java = Path.of(Optional.ofNullable(env.get("JAVA_HOME")).orElseGet(() -> javaHomeOf(ama, dir, env)), "bin",
          "java");
      String floorLabel = "java -version of " + java.getParent().getParent().getFileName();
      double floor = median(runs, () -> run(java, dir, Map.of(), "-version"));
      String classes = Path.of(TrivialMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
      double trivial = median(runs, () -> run(java, dir, Map.of(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-Xshare:auto", "-cp", classes, TrivialMain.class.getName()));
      for (List<String> command : commands) {
        String[] args = command.toArray(String[]::new);
        double median = median(runs, () -> run(ama, dir, env, args));
        results.add(new Result("ama " + command.get(0), v.label(), median, floor, floorLabel, trivial));
      }
    }
    return results;
  }

  /** The JVM bin/ama picks without JAVA_HOME, from what {@code ama --version} says. */
  private static String javaHomeOf(Path ama, Path dir, Map<String, String> env) {
    try {
      Matcher m = Pattern.compile(" at (/\\S+)").matcher(runForOutput(ama, dir, env, "--version"));
      return m.find() ? m.group(1) : System.getProperty("java.home");
    } catch (IOException | InterruptedException e) {
      return System.getProperty("java.home");
    }
  }

  /**
   * bin/ama trains its AOT caches in the background after a command: waits until the one for
   * commands on an S3 store if {@code s3}, else the one for every other command, is newer than
   * every jar in {@code target} and no trainer runs (a cache older than the jar is stale, and
   * bin/ama ignores it).
   */
  static void awaitAotCache(Path target, boolean s3) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (freshAotCache(target, s3 ? "ama-cli-s3-jdk.*\\.aot" : "ama-cli-jdk.*\\.aot")) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IOException("bin/ama trained no AOT cache in " + target + " within 5 minutes");
  }

  private static boolean freshAotCache(Path target, String cacheName) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(target)) {
      files = list.toList();
    }
    long newestJar = 0;
    long newestCache = -1;
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (name.endsWith(".aot.lock")) {
        return false;
      }
      if (name.matches("ama-cli-.*\\.jar")) {
        newestJar = Math.max(newestJar, Files.getLastModifiedTime(f).toMillis());
      } else if (name.matches(cacheName)) {
        newestCache = Math.max(newestCache, Files.getLastModifiedTime(f).toMillis());
      }
    }
    return newestCache > newestJar;
  }

  private interface Timed {
    void run() throws IOException, InterruptedException;
  }

  /** The median of {@code runs} timed runs, after one that is not timed (page cache, AOT cache). */
  private static double median(int runs, Timed timed) throws IOException, InterruptedException {
    timed.run();
    double[] seconds = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      timed.run();
      seconds[i] = (System.nanoTime() - t) / 1e9;
    }
    Arrays.sort(seconds);
    return runs % 2 == 1 ? seconds[runs / 2] : (seconds[runs / 2 - 1] + seconds[runs / 2]) / 2;
  }

  private static Map<String, String> with(Map<String, String> base, Map<String, String> more) {
    Map<String, String> env = new LinkedHashMap<>(base);
    env.putAll(more);
    return env;
  }

  private static void run(Path program, Path dir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    runForOutput(program, dir, env, args);
  }

  /** Runs a program to completion, failing with its output if it fails. */
  private static String runForOutput(Path program, Path dir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(program.toString()));
    cmd.addAll(List.of(args));
    return TransferBenchmark.run(cmd, dir, env, Duration.ofMinutes(5));
  }
}
