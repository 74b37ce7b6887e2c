package dev.ama.cli;

import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.StorageProvider;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * {@code switchable:/path/to/store?switch=NAME}: a filesystem store that a test can take offline
 * by name, every call then failing as an unreachable server's would.
 */
public final class SwitchableStorageProvider implements StorageProvider {
  private static final Set<String> OFFLINE = ConcurrentHashMap.newKeySet();

  static void offline(String name, boolean off) {
    if (off) {
      OFFLINE.add(name);
    } else {
      OFFLINE.remove(name);
    }
  }

  @Override
  public Set<String> schemes() {
    return Set.of("switchable");
  }

  @Override
  public dev.ama.spi.Storage open(URI uri, Map<String, String> options) {
    String name = uri.getQuery().substring("switch=".length());
    return new ForwardingStorage(new FileSystemStorage(Path.of(uri.getPath()))) {
      private void reachable() throws IOException {
        if (OFFLINE.contains(name)) {
          throw new ConnectException("connection refused (test store " + name + " is offline)");
        }
      }

      @Override
      public Optional<ObjectInfo> stat(String key) throws IOException {
        reachable();
        return super.stat(key);
      }

      @Override
      public InputStream open(String key) throws IOException {
        reachable();
        return super.open(key);
      }

      @Override
      public InputStream open(String key, long offset, long length) throws IOException {
        reachable();
        return super.open(key, offset, length);
      }

      @Override
      public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
        reachable();
        return super.list(prefix, startAfter);
      }

      @Override
      public PutOutcome putIfAbsent(String key, Content content) throws IOException {
        reachable();
        return super.putIfAbsent(key, content);
      }

      @Override
      public void put(String key, Content content) throws IOException {
        reachable();
        super.put(key, content);
      }

      @Override
      public boolean delete(String key) throws IOException {
        reachable();
        return super.delete(key);
      }
    };
  }
}
