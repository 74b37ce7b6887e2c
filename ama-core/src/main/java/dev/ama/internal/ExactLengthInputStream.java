package dev.ama.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Yields exactly a declared number of bytes of another stream, failing if it ends before them
 * or still has bytes after them: a content that yields more than it declared is as wrong as a
 * truncated one, and a reader that stops at the declared length would store it cut without a
 * word.
 */
public final class ExactLengthInputStream extends FilterInputStream {
  private final long declared;
  private final String what;
  private long remaining;

  private ExactLengthInputStream(InputStream in, long remaining, long declared, String what) {
    super(in);
    this.declared = declared;
    this.what = what;
    this.remaining = remaining;
  }

  /**
   * A stream of the {@code declared} bytes of {@code in}; closing it closes {@code in}.
   *
   * @param what names the content in messages, such as {@code "content for s3://b/p/key"}
   */
  public static InputStream of(InputStream in, long declared, String what) {
    return tail(in, declared, declared, what);
  }

  /**
   * A stream of the last {@code remaining} bytes of a content of {@code declared} bytes, {@code
   * in} being positioned at them (the last part of an upload); closing it closes {@code in}.
   */
  public static InputStream tail(InputStream in, long remaining, long declared, String what) {
    if (remaining < 0 || remaining > declared) {
      throw new IllegalArgumentException("the last " + remaining + " bytes of a content of " + declared + " bytes");
    }
    return new ExactLengthInputStream(in, remaining, declared, what);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (remaining == 0) {
      return -1;
    }
    int n = super.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) {
      throw new IOException(what + " ended after " + (declared - remaining) + " bytes, short of its declared length "
          + declared + "; was the file changed while it was written? Nothing was stored; retry once it is stable");
    }
    remaining -= n;
    // Checked as the last declared byte is handed out: a reader that wants exactly the declared
    // length never asks for more, so a later read would never see the surplus.
    if (remaining == 0 && super.read() >= 0) {
      throw new IOException(what + " yielded more bytes than its declared length " + declared + "; was the file"
          + " changed while it was written? Nothing was stored; retry once it is stable");
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(8192, Math.max(1, n))];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
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
