package dev.ama;

import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageLocation;
import dev.ama.spi.StorageProvider;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A filesystem store whose create-only write is check-then-insert ({@code probe-racy:/path}),
 * opened by name so that the probe's child processes, which open stores by location, get the same
 * flaw as the test JVM. The pause between the check and the insert widens the window that real
 * servers with this flaw (MinIO without read quorum, S3Proxy's emulated {@code If-Match}) leave.
 * Registered for this module's test class path only.
 */
public final class ProbeBrokenStorageProvider implements StorageProvider {
  static final String RACY = "probe-racy";

  /** For ServiceLoader. */
  public ProbeBrokenStorageProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of(RACY);
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) {
    return new ForwardingStorage(new FileSystemStorage(Path.of(StorageLocation.of(uri).path()))) {
      @Override
      public PutOutcome putIfAbsent(String key, Content content) throws IOException {
        if (stat(key).isPresent()) {
          return PutOutcome.ALREADY_EXISTS;
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
        put(key, content);
        return PutOutcome.CREATED;
      }
    };
  }
}
