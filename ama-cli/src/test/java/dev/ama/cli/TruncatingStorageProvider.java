package dev.ama.cli;

import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageProvider;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * {@code truncating:/path/to/store?file=/path/to/local/file}: a filesystem store that cuts the
 * local file to 10 bytes just before it stores a blob, as a training job still writing its
 * checkpoint would, so the CLI can be seen reporting a file that changed during upload.
 */
public final class TruncatingStorageProvider implements StorageProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("truncating");
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) {
    Path victim = Path.of(uri.getQuery().substring("file=".length()));
    return new ForwardingStorage(new FileSystemStorage(Path.of(uri.getPath()))) {
      @Override
      public PutOutcome putIfAbsent(String key, Content content) throws IOException {
        if (key.startsWith("blobs/")) {
          try (FileChannel ch = FileChannel.open(victim, StandardOpenOption.WRITE)) {
            ch.truncate(10);
          }
        }
        return super.putIfAbsent(key, content);
      }
    };
  }
}
