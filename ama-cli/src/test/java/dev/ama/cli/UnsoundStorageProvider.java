package dev.ama.cli;

import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageProvider;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code unsound:/path/to/store}: a filesystem store with the two flaws {@code ama doctor} must
 * name, found on real S3-compatible servers and in hand-written backends: create-only writes as
 * check-then-insert (with a pause that widens the window), and listings in the order of a sorted
 * walk of folders ({@code b/c} right after {@code b}, before {@code b-c}, though {@code '/'} sorts
 * after {@code '-'}). Opened by name, so the probe's child processes get them too.
 */
public final class UnsoundStorageProvider implements StorageProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("unsound");
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) {
    return new ForwardingStorage(new FileSystemStorage(Path.of(uri.getPath()))) {
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

      @Override
      public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
        try (Stream<ObjectInfo> s = super.list(prefix, startAfter)) {
          return s.sorted(Comparator.comparing(o -> o.key().replace('/', '\0'))).toList().stream();
        }
      }
    };
  }
}
