package dev.ama.storage.tck;

import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageLocation;
import dev.ama.spi.StorageProvider;
import dev.ama.storage.FileSystemStorage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Filesystem stores with one deliberate flaw each, opened by name ({@code tck-jvmlock:/path}) so
 * that the suite's child processes, which open stores through {@link dev.ama.spi.Storages}, get
 * the same flaw as the test JVM. Registered for the test class path only.
 */
public final class BrokenStorageProvider implements StorageProvider {
  /** putIfAbsent as check-then-insert under a lock that only this JVM's threads see. */
  static final String JVM_LOCK = "tck-jvmlock";
  /** Accepts any option and ignores it. */
  static final String LENIENT = "tck-lenient";
  /** Reads a whole object into the heap on open. */
  static final String BUFFERING_OPEN = "tck-bufferingopen";

  private static final Object JVM_WIDE = new Object();

  @Override
  public Set<String> schemes() {
    return Set.of(JVM_LOCK, LENIENT, BUFFERING_OPEN);
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) {
    StorageLocation location = StorageLocation.of(uri);
    String scheme = location.scheme();
    if (!scheme.equals(LENIENT) && (location.rawQuery() != null || !options.isEmpty())) {
      throw new IllegalArgumentException(uri + " takes no options, but was given " + options.keySet()
          + (location.rawQuery() == null ? "" : " and ?" + location.rawQuery()));
    }
    FileSystemStorage store = new FileSystemStorage(Path.of(location.path()));
    switch (scheme) {
      case JVM_LOCK:
        return new ForwardingStorage(store) {
          @Override
          public PutOutcome putIfAbsent(String key, Content content) throws IOException {
            synchronized (JVM_WIDE) {
              if (stat(key).isPresent()) {
                return PutOutcome.ALREADY_EXISTS;
              }
              put(key, content);
              return PutOutcome.CREATED;
            }
          }
        };
      case BUFFERING_OPEN:
        return new ForwardingStorage(store) {
          @Override
          public InputStream open(String key) throws IOException {
            try (InputStream in = delegate().open(key)) {
              return new ByteArrayInputStream(in.readAllBytes());
            }
          }
        };
      default:
        return new ForwardingStorage(store) {};
    }
  }
}
