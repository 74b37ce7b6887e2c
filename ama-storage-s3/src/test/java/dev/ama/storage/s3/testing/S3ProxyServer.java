package dev.ama.storage.s3.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests: S3Proxy (filesystem-backed, SigV4 authentication) started as its
 * own process on a free loopback port, so tests talk to it over HTTP exactly as to AWS.
 *
 * <pre>{@code
 * try (S3ProxyServer s3 = S3ProxyServer.start()) {
 *   String bucket = s3.createBucket();
 *   String location = s3.storeUri(bucket, "store");   // s3://bucket/store?endpoint=...&region=...
 *   Storage storage = Storages.open(location, s3.credentials());
 *   // or, for a child process (the ama CLI): ProcessBuilder.environment().putAll(s3.environment())
 * }
 * }</pre>
 *
 * <p>The server jar comes from the system property {@value #JAR_PROPERTY} (set by this module's
 * build), else {@code target/s3proxy/s3proxy.jar} under the working directory or the sibling
 * {@code ama-storage-s3} module, else the local Maven repository. Its log goes to {@code
 * target/s3proxy-PORT.log} (see {@link #log()}). The process is stopped by {@link #close()} and,
 * should the test JVM exit without closing, by a shutdown hook; should the test JVM be killed,
 * the server notices its standard input closing and exits by itself ({@link S3ProxyLauncher}).
 */
public final class S3ProxyServer implements AutoCloseable {
  /** System property naming the S3Proxy jar-with-dependencies to run. */
  public static final String JAR_PROPERTY = "s3proxy.jar";
  /** The system property naming S3Proxy's maximum heap, such as {@code 6g}; 1g if unset. */
  public static final String HEAP_PROPERTY = "s3proxy.heap";
  /** The access key id the server accepts. */
  public static final String ACCESS_KEY_ID = "ama-test-access-key";
  /** The secret access key the server accepts. */
  public static final String SECRET_ACCESS_KEY = "ama-test-secret-key";
  /** The region clients sign for; S3Proxy accepts any. */
  public static final String REGION = "us-east-1";

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  private final Process process;
  private final int port;
  private final Path dataDir;
  private final Path log;
  private final Thread shutdownHook;
  private volatile S3Client admin;

  private S3ProxyServer(Process process, int port, Path dataDir, Path log) {
    this.process = process;
    this.port = port;
    this.dataDir = dataDir;
    this.log = log;
    this.shutdownHook = new Thread(this::stopProcess, "s3proxy-stop-" + port);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a server from the jar found as described above and waits until it answers HTTP. */
  public static S3ProxyServer start() throws IOException {
    return start(findJar());
  }

  /** Starts a server from the given S3Proxy jar-with-dependencies. */
  public static S3ProxyServer start(Path jar) throws IOException {
    return start(jar, false);
  }

  /**
   * Starts a server that keeps objects in files under its temporary directory (jclouds'
   * filesystem provider) instead of its heap, for objects larger than the server's heap and for
   * benchmarks, where a server holding gigabytes in memory would measure its garbage collector.
   * Needs free disk space for everything stored.
   */
  public static S3ProxyServer startOnDisk(Path jar) throws IOException {
    return start(jar, true);
  }

  private static S3ProxyServer start(Path jar, boolean onDisk) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("S3Proxy jar " + jar + " does not exist; run the build's process-test-resources phase"
          + " (mvn -pl ama-storage-s3 -am test-compile) or set -D" + JAR_PROPERTY + "=/path/to/s3proxy.jar");
    }
    IOException last = null;
    // A free port can be taken by someone else between probing and binding; try a few.
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return startOnce(jar, onDisk);
      } catch (PortTakenException e) {
        last = e;
      }
    }
    throw last;
  }

  private static final class PortTakenException extends IOException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message);
    }
  }

  private static S3ProxyServer startOnce(Path jar, boolean onDisk) throws IOException {
    int port = freePort();
    Path dataDir = Files.createTempDirectory("ama-s3proxy-");
    Path config = dataDir.resolve("s3proxy.properties");
    Path basedir = Files.createDirectories(dataDir.resolve("buckets"));
    Properties p = new Properties();
    p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", ACCESS_KEY_ID);
    p.setProperty("s3proxy.credential", SECRET_ACCESS_KEY);
    p.setProperty("jclouds.provider", onDisk ? "filesystem" : "transient");
    p.setProperty("jclouds.filesystem.basedir", basedir.toString());
    try (var out = Files.newOutputStream(config)) {
      p.store(out, "written by " + S3ProxyServer.class.getName());
    }
    Path logDir = Files.isDirectory(Path.of("target")) ? Path.of("target") : dataDir;
    Path log = logDir.resolve("s3proxy-" + port + ".log").toAbsolutePath();
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    String classPath = jar.toAbsolutePath() + java.io.File.pathSeparator + launcherLocation();
    // In memory, a benchmark's store of 100,000 objects needs more than the tests' 1 GiB.
    String heap = System.getProperty(HEAP_PROPERTY, "1g");
    List<String> command = List.of(
        javaBin.toString(), "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", classPath, S3ProxyLauncher.class.getName(), "--properties", config.toString());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("LOG_LEVEL", "info");
    S3ProxyServer server = new S3ProxyServer(pb.start(), port, dataDir, log);
    try {
      server.awaitReady();
      return server;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** The directory or jar holding {@link S3ProxyLauncher}: test-classes, or this test-jar. */
  private static String launcherLocation() throws IOException {
    try {
      return Path.of(S3ProxyLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException | RuntimeException e) {
      throw new IOException("cannot locate the classes of " + S3ProxyLauncher.class.getName(), e);
    }
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    URI endpoint = endpoint();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String tail = logTail();
        if (tail.contains("Address already in use")) {
          throw new PortTakenException("port " + port + " was taken before S3Proxy bound it");
        }
        throw new IOException("S3Proxy exited with status " + process.exitValue() + " before answering on "
            + endpoint + "; its log " + log + " ends with:\n" + tail);
      }
      try {
        HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(2000);
        c.getResponseCode(); // any answer (403 without credentials) means it serves requests
        c.disconnect();
        return;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    throw new IOException("S3Proxy did not answer on " + endpoint + " within " + STARTUP_TIMEOUT.toSeconds()
        + "s; its log " + log + " ends with:\n" + logTail());
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for S3Proxy", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The S3Proxy jar {@link #start()} runs: see the class comment for where it is looked for. */
  public static Path findJar() throws IOException {
    String property = System.getProperty(JAR_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of("target", "s3proxy", "s3proxy.jar"));
    candidates.add(Path.of("..", "ama-storage-s3", "target", "s3proxy", "s3proxy.jar"));
    String version = version();
    String repo = System.getProperty("maven.repo.local");
    Path repoDir = repo != null ? Path.of(repo) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    candidates.add(repoDir.resolve(Path.of("org", "gaul", "s3proxy", version,
        "s3proxy-" + version + "-jar-with-dependencies.jar")));
    for (Path c : candidates) {
      if (Files.isRegularFile(c)) {
        return c.toAbsolutePath();
      }
    }
    throw new IOException("no S3Proxy jar found (looked at " + candidates + "). Copy org.gaul:s3proxy:" + version
        + ":jar-with-dependencies with maven-dependency-plugin, or set -D" + JAR_PROPERTY + "=/path/to/it");
  }

  private static String version() throws IOException {
    try (InputStream in = S3ProxyServer.class.getResourceAsStream("s3proxy.properties")) {
      if (in == null) {
        throw new IOException("s3proxy.properties is missing from the ama-storage-s3 test jar");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    }
  }

  /** The server's HTTP endpoint, {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The file the server's output goes to, for diagnosing a failed test. */
  public Path log() {
    return log;
  }

  /** Creates a bucket with a fresh name and returns the name. */
  public String createBucket() {
    String name = "ama-test-" + ProcessHandle.current().pid() + "-" + BUCKETS.incrementAndGet();
    createBucket(name);
    return name;
  }

  /** Creates a bucket with the given name. */
  public void createBucket(String name) {
    admin().createBucket(b -> b.bucket(name));
  }

  /**
   * Deletes every object under {@code prefix} in {@code bucket}, and any multipart upload left
   * there; the server holds objects in memory, so long test runs clean up after each test.
   */
  public void deletePrefix(String bucket, String prefix) {
    S3Client s3 = admin();
    s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()
        .forEach(o -> s3.deleteObject(b -> b.bucket(bucket).key(o.key())));
    s3.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix)).uploads()
        .forEach(u -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId())));
  }

  /** An S3 client signed in to this server; closed with the server. */
  public S3Client admin() {
    S3Client c = admin;
    if (c == null) {
      synchronized (this) {
        if (admin == null) {
          admin = S3Client.builder()
              .endpointOverride(endpoint())
              .region(Region.of(REGION))
              .forcePathStyle(true)
              .credentialsProvider(StaticCredentialsProvider.create(
                  AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
              .build();
        }
        c = admin;
      }
    }
    return c;
  }

  /**
   * The store location of {@code prefix} in {@code bucket} on this server: {@code
   * s3://bucket/prefix?endpoint=http://127.0.0.1:PORT&region=us-east-1&pathStyle=true}. It
   * carries no credentials; pass {@link #credentials()} as options or {@link #environment()} to a
   * child process.
   */
  public String storeUri(String bucket, String prefix) {
    return storeUri(bucket, prefix, endpoint());
  }

  /**
   * As {@link #storeUri(String, String)}, reaching this server through another endpoint, such as
   * a {@link FaultProxy} in front of it.
   */
  public String storeUri(String bucket, String prefix, URI via) {
    String path = prefix.isEmpty() ? "" : "/" + prefix;
    return "s3://" + bucket + path + "?endpoint=" + URLEncoder.encode(via.toString(), StandardCharsets.UTF_8)
        + "&region=" + REGION + "&pathStyle=true";
  }

  /** Store options holding this server's credentials, for {@code Storages.open(location, options)}. */
  public Map<String, String> credentials() {
    return Map.of("accessKeyId", ACCESS_KEY_ID, "secretAccessKey", SECRET_ACCESS_KEY);
  }

  /**
   * Environment variables that let a child process (the {@code ama} CLI) reach this server with
   * the default credentials and region chains: {@code AWS_ACCESS_KEY_ID}, {@code
   * AWS_SECRET_ACCESS_KEY}, {@code AWS_REGION}, {@code AWS_ENDPOINT_URL_S3} (so a plain {@code
   * s3://bucket/prefix} works too), and {@code AWS_EC2_METADATA_DISABLED} plus empty config files
   * so the SDK neither probes the instance metadata address nor reads the developer's ~/.aws.
   */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
    env.put("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
    env.put("AWS_REGION", REGION);
    env.put("AWS_ENDPOINT_URL_S3", endpoint().toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_CONFIG_FILE", dataDir.resolve("no-aws-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("no-aws-credentials").toString());
    return env;
  }

  /** Stops the server process (and any children) and deletes its data. */
  @Override
  public void close() {
    S3Client c = admin;
    if (c != null) {
      c.close();
    }
    stopProcess();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to; it stops the process itself.
    }
    deleteRecursively(dataDir);
  }

  private void stopProcess() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
  }

  /** The server process's id, for diagnosis. */
  public long pid() {
    return process.pid();
  }

  /** Whether the server process is still running. */
  public boolean isRunning() {
    return process.isAlive();
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // Left in the temp directory; nothing depends on it.
    }
  }

  @Override
  public String toString() {
    return "S3ProxyServer[" + endpoint() + ", log " + log + "]";
  }
}
