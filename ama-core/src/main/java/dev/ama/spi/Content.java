package dev.ama.spi;

import dev.ama.internal.BoundedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Bytes to be written to a {@link Storage}: a known length and a stream that can be opened more
 * than once, so a backend may retry a failed request or read parts in parallel.
 */
public interface Content {

  /** The exact number of bytes {@link #openStream()} yields. */
  long length();

  /** Opens a fresh stream over all the bytes, from the first. May be called many times. */
  InputStream openStream() throws IOException;

  /**
   * Opens a stream over part of the bytes. Backends uploading large content in parallel parts use
   * this; the default skips within {@link #openStream()}.
   */
  default InputStream openStream(long offset, long length) throws IOException {
    StorageKeys.checkRange(offset, length);
    InputStream in = openStream();
    try {
      in.skipNBytes(offset);
      return BoundedInputStream.limit(in, length);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /**
   * The local file holding these bytes, when there is one, so a backend can hand it to a native
   * upload (a file channel, a multipart uploader) instead of streaming.
   */
  default Optional<Path> file() {
    return Optional.empty();
  }

  /** Content backed by an array, which must not be modified afterwards. */
  static Content ofBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return new Content() {
      @Override
      public long length() {
        return bytes.length;
      }

      @Override
      public InputStream openStream() {
        return new ByteArrayInputStream(bytes);
      }

      @Override
      public InputStream openStream(long offset, long length) {
        StorageKeys.checkRange(offset, length);
        int from = (int) Math.min(offset, bytes.length);
        int len = (int) Math.min(length, bytes.length - from);
        return new ByteArrayInputStream(bytes, from, len);
      }
    };
  }

  /**
   * Content backed by a local file, whose length is read now. The file must not change until the
   * write completes; AMA checks this for the files it uploads.
   */
  static Content ofFile(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    long size = Files.size(file);
    return new Content() {
      @Override
      public long length() {
        return size;
      }

      @Override
      public InputStream openStream() throws IOException {
        return Files.newInputStream(file);
      }

      @Override
      public InputStream openStream(long offset, long length) throws IOException {
        StorageKeys.checkRange(offset, length);
        var channel = Files.newByteChannel(file);
        try {
          channel.position(offset);
          return BoundedInputStream.limit(java.nio.channels.Channels.newInputStream(channel), length);
        } catch (IOException | RuntimeException e) {
          channel.close();
          throw e;
        }
      }

      @Override
      public Optional<Path> file() {
        return Optional.of(file);
      }
    };
  }
}
