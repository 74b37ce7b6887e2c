package dev.ama.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads at most a given number of bytes from another stream; for ranged reads. */
public final class BoundedInputStream extends FilterInputStream {
  private long remaining;

  private BoundedInputStream(InputStream in, long limit) {
    super(in);
    this.remaining = limit;
  }

  /**
   * A stream that yields at most {@code limit} bytes of {@code in} and closes {@code in} when
   * closed; for ranged reads over a stream positioned at the range's start.
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  public static InputStream limit(InputStream in, long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("a range length must not be negative, was " + limit);
    }
    return new BoundedInputStream(in, limit);
  }

  @Override
  public int read() throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int b = super.read();
    if (b >= 0) {
      remaining--;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int n = super.read(b, off, (int) Math.min(len, remaining));
    if (n > 0) {
      remaining -= n;
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = super.skip(Math.min(n, remaining));
    remaining -= skipped;
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(super.available(), remaining);
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
