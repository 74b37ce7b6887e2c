package dev.ama.examples.bench;

import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * The store a benchmark runs against, chosen on its command line: S3Proxy with its objects on disk
 * (the default), S3Proxy with its objects in its heap ({@code --in-memory}), or an in-process
 * memory store ({@code --in-process}). The last one answers without HTTP, so it measures request
 * counts at sizes whose listings S3Proxy cannot serve in reasonable time (its listings grow
 * quadratically with the store); wall times from it say nothing about a bucket's.
 */
final class BenchStore implements AutoCloseable {
  private final S3ProxyServer server;
  private final Storage storage;
  private final String description;

  private BenchStore(S3ProxyServer server, Storage storage, String description) {
    this.server = server;
    this.storage = storage;
    this.description = description;
  }

  /** Opens the store the arguments ask for. */
  static BenchStore open(String[] args) throws IOException {
    boolean inProcess = Arrays.asList(args).contains("--in-process");
    boolean inMemory = Arrays.asList(args).contains("--in-memory");
    if (inProcess) {
      String name = "bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
      return new BenchStore(null, Storages.open("mem:" + name, Map.of()), "an in-process memory store");
    }
    S3ProxyServer s3 = inMemory ? S3ProxyServer.start(S3ProxyServer.findJar())
        : S3ProxyServer.startOnDisk(S3ProxyServer.findJar());
    try {
      String bucket = s3.createBucket();
      return new BenchStore(s3, Storages.open(s3.storeUri(bucket, "store"), s3.credentials()),
          "S3Proxy (" + (inMemory ? "in its heap" : "on disk") + ", SigV4, loopback)");
    } catch (IOException | RuntimeException e) {
      s3.close();
      throw e;
    }
  }

  Storage storage() {
    return storage;
  }

  /** Says which store this is, for the results' heading. */
  String description() {
    return description;
  }

  @Override
  public void close() throws IOException {
    try {
      storage.close();
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }
}
