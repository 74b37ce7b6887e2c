package dev.ama.storage;

import dev.ama.spi.Storage;
import dev.ama.spi.StorageLocation;
import dev.ama.spi.StorageProvider;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/** Serves {@code mem:NAME} URIs with the JVM-wide {@link InMemoryStorage#named named} store. */
public final class InMemoryStorageProvider implements StorageProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("mem");
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) {
    StorageLocation location = StorageLocation.of(uri);
    String name = location.path();
    if (name.isBlank()) {
      throw new IllegalArgumentException("in-memory store location " + uri + " has no name; use mem:NAME, such as mem:test");
    }
    FileSystemStorageProvider.refuseOptions("in-memory store mem:" + name, location, options);
    return InMemoryStorage.named(name);
  }
}
