package dev.ama.storage.tck;

import dev.ama.spi.Content;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;

/**
 * Pseudo-random bytes generated as they are read, so the suite can write objects far larger than
 * it could hold, and can act at a chosen byte while a backend is reading them: fail, block, or
 * measure the heap.
 */
final class GeneratedContent implements Content {
  private static final int BLOCK = 64 * 1024;

  /** Runs when a stream reaches {@link #hookAt}; may throw to make the stream fail there. */
  @FunctionalInterface
  interface Hook {
    void run() throws IOException;
  }

  private final long seed;
  private final long declared;
  private final long yielded;
  private final long hookAt;
  private final Hook hook;

  private GeneratedContent(long seed, long declared, long yielded, long hookAt, Hook hook) {
    this.seed = seed;
    this.declared = declared;
    this.yielded = yielded;
    this.hookAt = hookAt;
    this.hook = hook;
  }

  /** {@code size} bytes determined by {@code seed}. */
  static GeneratedContent of(long seed, long size) {
    return new GeneratedContent(seed, size, size, -1, null);
  }

  /** The same bytes, with {@code hook} run by every stream when it reaches byte {@code position}. */
  GeneratedContent withHookAt(long position, Hook hook) {
    if (position < 0 || position >= yielded) {
      throw new IllegalArgumentException("hook position " + position + " is outside 0.." + (yielded - 1));
    }
    return new GeneratedContent(seed, declared, yielded, position, hook);
  }

  /** Declares the same length but yields only the first {@code actual} bytes: a truncated source. */
  GeneratedContent truncatedTo(long actual) {
    return new GeneratedContent(seed, declared, actual, hookAt, hook);
  }

  /** Declares the same length but yields {@code actual} bytes, more than declared: an overrunning source. */
  GeneratedContent longerThanDeclared(long actual) {
    if (actual <= declared) {
      throw new IllegalArgumentException(actual + " bytes are not more than the declared " + declared);
    }
    return new GeneratedContent(seed, declared, actual, hookAt, hook);
  }

  /** All the bytes; for small contents. */
  byte[] toByteArray() throws IOException {
    try (InputStream in = openStream()) {
      return in.readAllBytes();
    }
  }

  /** {@code n} bytes determined by {@code seed}. */
  static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  @Override
  public long length() {
    return declared;
  }

  @Override
  public InputStream openStream() {
    return new Generator();
  }

  private final class Generator extends InputStream {
    private final byte[] block = new byte[BLOCK];
    private long blockIndex = -1;
    private long pos;
    private boolean hookRan;

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
      if (hook != null && !hookRan && pos >= hookAt) {
        hookRan = true;
        hook.run();
      }
      if (pos >= yielded) {
        return -1;
      }
      long index = pos / BLOCK;
      if (index != blockIndex) {
        // Each block has its own generator, so a stream can start anywhere without replaying.
        new SplittableRandom(seed * 31 + index).nextBytes(block);
        blockIndex = index;
      }
      int inBlock = (int) (pos % BLOCK);
      long n = Math.min(len, Math.min(BLOCK - inBlock, yielded - pos));
      if (hook != null && !hookRan) {
        n = Math.min(n, hookAt - pos);
      }
      System.arraycopy(block, inBlock, b, off, (int) n);
      pos += n;
      return (int) n;
    }

    @Override
    public long skip(long n) {
      long k = Math.max(0, Math.min(n, yielded - pos));
      pos += k;
      return k;
    }
  }
}
