package dev.ama.cli;

import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageProvider;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code blocking:/path/to/store?gate=NAME}: a filesystem store whose first blob write waits until
 * the test opens the gate, so a test can run other commands while an upload is in flight at a
 * known point instead of racing a timer.
 */
public final class BlockingStorageProvider implements StorageProvider {
  /** One upload held at its first blob write. */
  static final class Gate {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch open = new CountDownLatch(1);
  }

  private static final Map<String, Gate> GATES = new ConcurrentHashMap<>();

  /** A new gate, to be named in the store URI. */
  static Gate gate(String name) {
    Gate gate = new Gate();
    GATES.put(name, gate);
    return gate;
  }

  @Override
  public Set<String> schemes() {
    return Set.of("blocking");
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) {
    Gate gate = GATES.get(uri.getQuery().substring("gate=".length()));
    return new ForwardingStorage(new FileSystemStorage(Path.of(uri.getPath()))) {
      @Override
      public PutOutcome putIfAbsent(String key, Content content) throws IOException {
        if (key.startsWith("blobs/")) {
          gate.entered.countDown();
          try {
            // Bounded, so a broken test fails instead of hanging the build.
            if (!gate.open.await(30, TimeUnit.SECONDS)) {
              throw new IOException("test gate never opened");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted at the test gate");
          }
        }
        return super.putIfAbsent(key, content);
      }
    };
  }
}
