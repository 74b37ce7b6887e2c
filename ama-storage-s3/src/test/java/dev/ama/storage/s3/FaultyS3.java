package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ama.AssetClient;
import dev.ama.IntegrityException;
import dev.ama.StoreException;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.FaultProxy;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import dev.ama.testing.StoreChecker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * An S3 store reached through a {@link FaultProxy} in front of S3Proxy, with timeouts and retries
 * small enough that a test sees every fault end within seconds, and the checks the network-fault
 * suites share: a failure is clear, a store is consistent, downloaded files are exact.
 */
final class FaultyS3 implements ExtensionContext.Store.CloseableResource {
  /**
   * How long a connection may stay silent before the client gives up on it: short, so stalls
   * cost little, yet above what S3Proxy takes to answer a 5 MiB part on a busy machine (it took
   * over 3s for four parts in parallel on 2 shared cores; the long variant allows 5s).
   */
  static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(2);
  /** Tries per request. */
  static final int MAX_ATTEMPTS = 3;
  /**
   * How long the proxy keeps a stalled connection silent: far past the client's timeout, so only
   * the client's own timeouts can end a stall within a test's bounds.
   */
  static final Duration STALL = Duration.ofSeconds(60);
  /** Small parts, so a few MiB go up as a multipart upload. */
  static final String SMALL_PARTS = "&multipartThreshold=5MiB&partSize=5MiB";

  final S3ProxyServer server;
  final FaultProxy proxy;
  final String bucket;
  private static final Pattern S3PROXY_TEMP =
      Pattern.compile("-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

  private final List<AutoCloseable> opened = new ArrayList<>();
  private final AtomicInteger serverLeftovers = new AtomicInteger();

  private FaultyS3(S3ProxyServer server, FaultProxy proxy, String bucket) {
    this.server = server;
    this.proxy = proxy;
    this.bucket = bucket;
  }

  /**
   * Gives tests a {@code FaultyS3} parameter: one per test run, in front of the run's {@link
   * S3ProxyServer}, closed when the run ends. Declare it after {@code S3ProxyExtension}.
   */
  static final class Resolver implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == FaultyS3.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return context.getRoot().getStore(ExtensionContext.Namespace.create(FaultyS3.class))
          .getOrComputeIfAbsent(FaultyS3.class, k -> start(S3ProxyExtension.server(context)), FaultyS3.class);
    }
  }

  private static FaultyS3 start(S3ProxyServer server) {
    try {
      return new FaultyS3(server, FaultProxy.start(server.endpoint(), STALL), server.createBucket());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The store's location as errors name it. */
  String location(String prefix) {
    return "s3://" + bucket + "/" + prefix;
  }

  /** The store at {@code prefix} through the faulty proxy; closed with this. */
  Storage faulty(String prefix) throws IOException {
    return faulty(prefix, SOCKET_TIMEOUT, SMALL_PARTS);
  }

  /**
   * As {@link #faulty(String)}, with another socket timeout and other part options ({@code
   * &multipartThreshold=...&partSize=...}).
   */
  Storage faulty(String prefix, Duration socketTimeout, String partOptions) throws IOException {
    String options = "&socketTimeout=" + socketTimeout.toMillis() + "ms&connectTimeout=2s&maxAttempts=" + MAX_ATTEMPTS;
    return remember(Storages.open(
        server.storeUri(bucket, prefix, proxy.endpoint()) + options + partOptions, server.credentials()));
  }

  /** The same store reached directly, for checking what the faulty side wrote. */
  Storage direct(String prefix) throws IOException {
    return remember(Storages.open(server.storeUri(bucket, prefix), server.credentials()));
  }

  /**
   * A client whose new stores are in format 1: the fault plans pick requests by key, one GET or PUT
   * under {@code blobs/} per file, as format 1 lays files out.
   */
  AssetClient client(Storage storage, Path cache, String user) {
    return remember(AssetClient.builder().storage(storage).user(user).cache(cache).newStoreFormat(1).build());
  }

  private <T extends AutoCloseable> T remember(T closeable) {
    synchronized (opened) {
      opened.add(closeable);
    }
    return closeable;
  }

  /**
   * Checks the store as the format promises, over a direct connection. S3Proxy writes a PUT's
   * body to {@code <key>-<uuid>} and renames it when complete; a body cut mid-way leaves that
   * file, which its listings show. AWS never lists a partial upload, so these are not the
   * client's doing and are hidden from the check (and counted in {@link #serverLeftovers()}).
   */
  StoreChecker.Report assertConsistent(String prefix, String context) throws IOException {
    return StoreChecker.check(new ForwardingStorage(direct(prefix)) {
      @Override
      public Stream<ObjectInfo> list(String listPrefix, String startAfter) throws IOException {
        return super.list(listPrefix, startAfter).filter(o -> {
          boolean leftover = S3PROXY_TEMP.matcher(o.key()).find();
          if (leftover) {
            serverLeftovers.incrementAndGet();
          }
          return !leftover;
        });
      }
    }).assertConsistent(context);
  }

  /** How many of S3Proxy's partial-upload files {@link #assertConsistent} has hidden. */
  int serverLeftovers() {
    return serverLeftovers.get();
  }

  /** Deletes a prefix the suite is done with: the server holds objects in its heap. */
  void deletePrefix(String prefix) {
    server.deletePrefix(bucket, prefix + "/");
  }

  /**
   * A failure under network faults must be the store's ({@link StoreException}, CLI exit 7) or,
   * if bytes were wrong, an {@link IntegrityException}; never a raw SDK exception or an Error.
   * Its message names the store and the S3 key, says what happened and what to do.
   */
  void assertClearFailure(Throwable e, String prefix) {
    String trace = trace(e);
    if (!(e instanceof StoreException) && !(e instanceof IntegrityException)) {
      fail("expected a StoreException or IntegrityException, got:\n" + trace);
    }
    assertFalse(e instanceof SdkException, trace);
    String message = String.valueOf(e.getMessage());
    assertTrue(message.contains(location(prefix) + "/"), "the message names the store and the key: " + message);
    assertFalse(message.contains("S3 client failed to"), "the cause was not classified: " + message);
    assertTrue(message.contains("retry") || message.contains("try again") || message.contains("Re-upload"),
        "the message says what to do: " + message);
  }

  static String trace(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  /** Writes the files of one asset version: a config, a note in a sub-folder and {@code size} random bytes. */
  static Map<String, byte[]> writeFiles(Path dir, long seed, int size) throws IOException {
    Random random = new Random(seed);
    byte[] weights = new byte[size];
    random.nextBytes(weights);
    Map<String, byte[]> files = new TreeMap<>();
    files.put("params.yml", ("seed: " + seed + "\nlearning_rate: 0.00" + random.nextInt(10) + "\n").getBytes());
    files.put("notes/readme.txt", ("trial " + seed + "\n").getBytes());
    files.put("weights.bin", weights);
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, f.getValue());
    }
    return files;
  }

  /** Every file the download placed under its final name holds the uploaded bytes; {@code all}: every file is there. */
  static void assertExactFiles(Map<String, byte[]> expected, Path dir, boolean all) throws IOException {
    for (Map.Entry<String, byte[]> f : expected.entrySet()) {
      Path p = dir.resolve(f.getKey());
      if (Files.exists(p)) {
        assertArrayEquals(f.getValue(), Files.readAllBytes(p), "bytes of " + p);
      } else if (all) {
        fail(p + " was not downloaded");
      }
    }
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.filter(Files::isRegularFile)
            .map(p -> dir.relativize(p).toString().replace('\\', '/'))
            .filter(name -> !name.startsWith(".") && !name.contains("/."))
            .forEach(name -> assertTrue(expected.containsKey(name), "unexpected file " + name + " in " + dir));
      }
    }
  }

  @Override
  public void close() throws Exception {
    proxy.close();
    synchronized (opened) {
      for (int i = opened.size() - 1; i >= 0; i--) {
        opened.get(i).close();
      }
    }
  }
}
