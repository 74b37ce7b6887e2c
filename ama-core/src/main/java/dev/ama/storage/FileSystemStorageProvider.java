package dev.ama.storage;

import dev.ama.spi.Storage;
import dev.ama.spi.StorageLocation;
import dev.ama.spi.StorageProvider;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Serves {@code file:} URIs (and so plain paths) with {@link FileSystemStorage}. */
public final class FileSystemStorageProvider implements StorageProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("file");
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) {
    StorageLocation location = StorageLocation.of(uri);
    refuseOptions("file store " + location.withoutQuery(), location, options);
    Path root = Path.of(uri);
    // A store under a regular file would read as empty and fail only on the first write.
    for (Path p = root.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        if (!Files.isDirectory(p)) {
          throw new IllegalArgumentException("store location " + root + " is not a folder: " + p
              + " is a file. Give the path of a folder (it is created on the first upload)");
        }
        break;
      }
    }
    return new FileSystemStorage(root);
  }

  /** Refuses every option, from the URI's query or the map: these backends have none. */
  static void refuseOptions(String store, StorageLocation location, Map<String, String> options) {
    if (location.rawQuery() != null) {
      throw new IllegalArgumentException(store + " takes no options, but its location ends with '?"
          + location.rawQuery() + "'; remove the query");
    }
    if (!options.isEmpty()) {
      throw new IllegalArgumentException(store + " takes no options, but was given " + new TreeSet<>(options.keySet())
          + "; remove them (they may be meant for another backend)");
    }
  }
}
