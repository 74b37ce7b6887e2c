package dev.ama.storage;

import dev.ama.spi.Storage;
import dev.ama.spi.StorageProvider;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Serves {@code file:} URIs (and so plain paths) with {@link FileSystemStorage}. */
public final class FileSystemStorageProvider implements StorageProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("file");
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) {
    if (uri.getQuery() != null) {
      throw new IllegalArgumentException("file store location " + uri + " takes no options; remove '?" + uri.getRawQuery() + "'");
    }
    return new FileSystemStorage(Path.of(uri));
  }
}
