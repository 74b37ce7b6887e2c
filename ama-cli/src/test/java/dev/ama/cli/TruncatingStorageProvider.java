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
 * checkpoint would, so the CLI can be seen reporting a file that changed during upload. With
 * {@code &parts=true} it reads the content in ranged parts, as S3's multipart upload does, and
 * fails with its own I/O error when a part comes back short.
 */
public final class TruncatingStorageProvider implements StorageProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("truncating");
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) {
    String[] query = uri.getQuery().split("&parts=");
    Path victim = Path.of(query[0].substring("file=".length()));
    boolean parts = query.length > 1 && Boolean.parseBoolean(query[1]);
    return new ForwardingStorage(new FileSystemStorage(Path.of(uri.getPath()))) {
      @Override
      public PutOutcome putIfAbsent(String key, Content content) throws IOException {
        if (!key.startsWith("blobs/")) {
          return super.putIfAbsent(key, content);
        }
        try (FileChannel ch = FileChannel.open(victim, StandardOpenOption.WRITE)) {
          ch.truncate(10);
        }
        return super.putIfAbsent(key, parts ? Content.ofBytes(readInParts(content)) : content);
      }
    };
  }

  private static byte[] readInParts(Content content) throws IOException {
    int part = 16 * 1024;
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (long offset = 0; offset < content.length(); offset += part) {
      long length = Math.min(part, content.length() - offset);
      try (java.io.InputStream in = content.openStream(offset, length)) {
        byte[] b = in.readAllBytes();
        if (b.length != length) {
          throw new IOException("part at offset " + offset + " ended after " + b.length + " of " + length + " bytes");
        }
        all.write(b);
      }
    }
    return all.toByteArray();
  }
}
