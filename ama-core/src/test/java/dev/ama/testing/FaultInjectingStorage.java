package dev.ama.testing;

import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.Content;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A storage that passes everything to a real one but makes writes fail, to see what a writer
 * leaves behind when it dies between two steps.
 *
 * <p>{@link #failingWrite} counts writes ({@code putIfAbsent} and {@code put}) and breaks the
 * k-th in the chosen {@link Fault} style. Every later write then fails before reaching the real
 * storage, as if the writer had crashed: the real storage keeps exactly what was written up to
 * the fault (plus whatever writes were already in flight on other threads; {@link #awaitIdle}
 * waits for those). Reads always pass through.
 *
 * <p>{@link #failingOverwrites} instead fails every {@code put}, the overwrite AMA uses only for
 * hints, and lets every create-only write through.
 */
public final class FaultInjectingStorage extends ForwardingStorage {

  /** How the k-th write breaks. */
  public enum Fault {
    /** The write never reaches the storage: a crash just before it. */
    BEFORE_WRITE,
    /**
     * The write completes but the writer is told it failed: a crash, or a lost response, just
     * after it. The caller cannot tell whether the object was written.
     */
    AFTER_WRITE,
    /** The content stream breaks halfway through, while the storage is reading it. */
    MID_CONTENT,
    /**
     * Not a crash: the write completes, its response is lost, and the automatic retry that cloud
     * SDKs make sends it again, so a create-only write is told the object already exists although
     * this writer created it. Later writes pass.
     */
    RETRIED_AFTER_LOST_RESPONSE
  }

  private final int failAt;
  private final Fault fault;
  private final boolean failOverwrites;
  private final AtomicInteger writes = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger overwritesRefused = new AtomicInteger();
  private final AtomicLong bytesBeforeBreak = new AtomicLong(-1);
  private volatile String faultedKey;

  private FaultInjectingStorage(Storage delegate, int failAt, Fault fault, boolean failOverwrites) {
    super(delegate);
    this.failAt = failAt;
    this.fault = fault;
    this.failOverwrites = failOverwrites;
  }

  /**
   * Breaks write number {@code k} (from 1) in the style {@code fault}; after a crash style, every
   * later write fails too.
   */
  public static FaultInjectingStorage failingWrite(Storage delegate, int k, Fault fault) {
    if (k < 1) {
      throw new IllegalArgumentException("writes are counted from 1, got " + k);
    }
    return new FaultInjectingStorage(delegate, k, fault, false);
  }

  /** Fails every overwriting {@code put}; create-only writes pass. */
  public static FaultInjectingStorage failingOverwrites(Storage delegate) {
    return new FaultInjectingStorage(delegate, Integer.MAX_VALUE, Fault.BEFORE_WRITE, true);
  }

  /** How many writes were attempted, the broken one and those refused after it included. */
  public int writes() {
    return writes.get();
  }

  /** How many overwrites {@link #failingOverwrites} refused. */
  public int overwritesRefused() {
    return overwritesRefused.get();
  }

  /** Whether the counted fault happened. */
  public boolean faulted() {
    return faultedKey != null;
  }

  /** The key of the write that was broken, if one was. */
  public Optional<String> faultedKey() {
    return Optional.ofNullable(faultedKey);
  }

  /** For {@link Fault#MID_CONTENT}: how many bytes the storage had read when the stream broke. */
  public long bytesBeforeBreak() {
    return bytesBeforeBreak.get();
  }

  /**
   * Waits until no write is running in the real storage, so that a check after a failed upload
   * does not race writes its other threads had already started.
   */
  public void awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(inFlight.get() + " writes still running after " + timeout);
      }
      Thread.sleep(2);
    }
  }

  @Override
  public PutOutcome putIfAbsent(String key, Content content) throws IOException {
    return write(key, content, true);
  }

  @Override
  public void put(String key, Content content) throws IOException {
    if (failOverwrites) {
      writes.incrementAndGet();
      overwritesRefused.incrementAndGet();
      throw new IOException("injected fault: overwrite of " + key + " refused");
    }
    write(key, content, false);
  }

  private PutOutcome write(String key, Content content, boolean createOnly) throws IOException {
    int n = writes.incrementAndGet();
    if (n > failAt && fault != Fault.RETRIED_AFTER_LOST_RESPONSE) {
      throw new IOException("injected fault: writer already crashed at write " + failAt + ", refusing " + key);
    }
    if (n != failAt) {
      return delegated(key, content, createOnly);
    }
    faultedKey = key;
    switch (fault) {
      case BEFORE_WRITE:
        throw new IOException("injected fault: crash before writing " + key);
      case AFTER_WRITE:
        delegated(key, content, createOnly);
        throw new IOException("injected fault: crash after writing " + key);
      case MID_CONTENT:
        delegated(key, new BreakingContent(content, key), createOnly);
        // The storage did not read the content (the key already existed); crash all the same.
        throw new IOException("injected fault: crash while writing " + key);
      case RETRIED_AFTER_LOST_RESPONSE:
        delegated(key, content, createOnly);
        return delegated(key, content, createOnly);
      default:
        throw new AssertionError(fault);
    }
  }

  private PutOutcome delegated(String key, Content content, boolean createOnly) throws IOException {
    inFlight.incrementAndGet();
    try {
      if (createOnly) {
        return delegate().putIfAbsent(key, content);
      }
      delegate().put(key, content);
      return PutOutcome.CREATED;
    } finally {
      inFlight.decrementAndGet();
    }
  }

  @Override
  public String toString() {
    return "FaultInjectingStorage[" + delegate() + ", write " + failAt + " " + fault + "]";
  }

  /**
   * Content whose stream yields the first half of the bytes and then fails. It hides the backing
   * file so that a backend cannot bypass the stream with a native file upload.
   */
  private final class BreakingContent implements Content {
    private final Content content;
    private final String key;

    BreakingContent(Content content, String key) {
      this.content = content;
      this.key = key;
    }

    @Override
    public long length() {
      return content.length();
    }

    @Override
    public InputStream openStream() throws IOException {
      long limit = content.length() / 2;
      return new FilterInputStream(content.openStream()) {
        private long delivered;

        @Override
        public int read() throws IOException {
          checkLimit();
          int c = super.read();
          if (c >= 0) {
            delivered++;
          }
          return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          checkLimit();
          int n = super.read(b, off, (int) Math.min(len, Math.max(1, limit - delivered)));
          if (n > 0) {
            delivered += n;
          }
          return n;
        }

        private void checkLimit() throws IOException {
          if (delivered >= limit) {
            bytesBeforeBreak.set(delivered);
            throw new IOException("injected fault: stream for " + key + " broke after " + delivered + " of "
                + content.length() + " bytes");
          }
        }
      };
    }

    @Override
    public InputStream openStream(long offset, long length) throws IOException {
      throw new IOException("injected fault: ranged read of the content for " + key + " broke");
    }
  }
}
