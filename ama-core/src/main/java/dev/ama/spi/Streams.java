package dev.ama.spi;

import java.io.InputStream;

/** Stream helpers for backend authors. */
public final class Streams {
  private Streams() {}

  /**
   * A stream that yields at most {@code limit} bytes of {@code in} and closes {@code in} when
   * closed; for ranged reads over a stream positioned at the range's start.
   */
  public static InputStream limit(InputStream in, long limit) {
    StorageKeys.checkRange(0, limit);
    return new BoundedInputStream(in, limit);
  }
}
